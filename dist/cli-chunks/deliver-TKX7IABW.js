#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  completeInterruptedDelivery,
  createDelivery,
  deliverPackages,
  findExistingDelivery,
  maskSasSignatures,
  receiptNameOf,
  removeLeftoverPending,
  removePackages
} from "./chunk-6TCXWVMB.js";
import "./chunk-PAHEFPVV.js";
import {
  readPassphraseFile,
  readUserFile
} from "./chunk-ZFQU57DK.js";
import {
  formatFingerprint,
  packRequest,
  readPublicKeys,
  readSecretKey
} from "./chunk-LRTINK2B.js";
import {
  createCliForge,
  pullRequestHelp,
  pullRequestOptions,
  readCliPullRequest,
  readPullRequestArgs
} from "./chunk-G3NZJGV7.js";
import {
  createReviewsFileParser,
  evaluatePolicy
} from "./chunk-HZHVPSEG.js";
import {
  disclosureFacts,
  findingsCanBlock,
  scanRequestOutputs
} from "./chunk-GA5RL33M.js";
import {
  printDiagnostics
} from "./chunk-3JVZ3KOA.js";
import {
  createFsRepoFiles,
  createRedactor,
  hasErrors,
  loadPolicy,
  loadRepository,
  outputsDirOf,
  parseCommandLine,
  redactKeeping,
  requireOption,
  sortDiagnostics,
  toRepoPath,
  validateRequest
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/cli/commands/deliver.ts
import { createHash } from "node:crypto";
import { mkdtemp as mkdtemp2 } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join2, relative, resolve } from "node:path";

// action/src/app/release.ts
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
async function releaseRequest(input) {
  const { reviews } = input;
  if (reviews.head === void 0 || reviews.merger === void 0) {
    throw new EgressError(
      "USAGE",
      `the reviews for a delivery must name the head commit ('head') and who merged ('merger'); ${input.evidence.source === "reviews-file" ? input.evidence.path : "the pull request"} does not. Nothing was delivered.`
    );
  }
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo
  });
  const diagnostics = [...input.repo.diagnostics, ...validated.diagnostics];
  const manifest = validated.manifest;
  const workPackage = manifest ? input.repo.workPackages.get(manifest.workPackage) : void 0;
  const base = { diagnostics, collections: [], passed: false };
  if (!manifest || !workPackage || hasErrors(diagnostics)) {
    return {
      ...base,
      state: "invalid",
      ...manifest ? { requestId: manifest.id, manifest } : {},
      reasons: [
        "The request manifest or the trusted configuration has errors (listed below); nothing was delivered."
      ]
    };
  }
  const findings = findingsCanBlock(input.policy) ? await scanRequestOutputs(manifest, input.outputsDir, input.policy, {
    ...validated.document ? { document: validated.document } : {}
  }) : void 0;
  const evaluation = evaluatePolicy({
    ...findings ? { findings: disclosureFacts(findings) } : {},
    policy: input.policy,
    config: input.repo.config,
    workPackage,
    manifest,
    author: reviews.author,
    head: reviews.head,
    merger: reviews.merger,
    reviews: reviews.reviews
  });
  const described = {
    requestId: manifest.id,
    manifest,
    evaluation,
    ...evaluation.tier !== void 0 ? { tier: evaluation.tier } : {}
  };
  if (!evaluation.passed) {
    const reasons = [
      ...evaluation.reasons.filter((r) => !r.startsWith("merged by ")),
      ...evaluation.collections.filter((c) => c.state !== "cleared").map(
        (c) => `collection '${c.name}' is ${c.state}: ${[...c.missing, ...c.reasons].slice(0, 3).join("; ")}`
      )
    ];
    return {
      ...base,
      ...described,
      state: "not-cleared",
      reasons: [`The request does not pass, so no collection was delivered. ${reasons.join(" ")}`.trim()]
    };
  }
  const existing = /* @__PURE__ */ new Map();
  for (const collection of manifest.collections) {
    input.onProgress?.({ phase: "checking", collection: collection.name });
    const result = evaluation.collections.find((c) => c.name === collection.name);
    existing.set(collection.name, await checkDestination(input, manifest, collection, result.excludedItems));
  }
  const conflicts = [...existing.values()].flatMap((e) => e.state === "conflict" ? [e.reason] : []);
  if (conflicts.length > 0) {
    return { ...base, ...described, state: "conflict", reasons: conflicts };
  }
  await mkdir(input.workDir, { recursive: true });
  const runDir = await mkdtemp(join(input.workDir, `${manifest.id}-`));
  const arrived = (found) => found?.state === "delivered" || found?.state === "interrupted";
  const toPack = manifest.collections.map((c) => c.name).filter((name) => !arrived(existing.get(name)));
  const collections = [];
  const recipientKeys = await recipientKeysOf(input.repo);
  const interrupted = [];
  const completeInterrupted = async () => {
    for (const { collection, found, receiptPath } of interrupted) {
      input.onProgress?.({ phase: "delivering", collection: collection.name, doneBytes: 0, totalBytes: 0 });
      const completed = await withDelivery(
        input,
        collection.destination,
        (delivery) => completeInterruptedDelivery(delivery, found.signed, {
          collection: collection.name,
          destination: collection.destination,
          receiptPath,
          receipt: found.receipt,
          signingKey: input.signingKey,
          recipientKeys,
          ...input.onSecret ? { onSecret: input.onSecret } : {}
        })
      );
      collections.push({ ...completed, recipients: completed.receipt.recipients });
    }
  };
  for (const collection of manifest.collections) {
    const found = existing.get(collection.name);
    if (!arrived(found)) continue;
    const packageFile = `${manifest.id}-${collection.name}.tar.gpg`;
    const receiptPath = join(runDir, receiptNameOf(packageFile));
    if (found.state === "interrupted") {
      interrupted.push({ collection, found, receiptPath });
      continue;
    }
    await writeFile(receiptPath, found.signed);
    await withDelivery(
      input,
      collection.destination,
      (delivery) => removeLeftoverPending(delivery, manifest.id, packageFile, found.signed)
    );
    collections.push({
      collection: collection.name,
      destination: collection.destination,
      location: found.receipt.destination?.location ?? collection.destination,
      receiptPath,
      receipt: found.receipt,
      alreadyDelivered: true,
      recipients: found.receipt.recipients
    });
  }
  const inManifestOrder = () => {
    const order = manifest.collections.map((c) => c.name);
    collections.sort((a, b) => order.indexOf(a.collection) - order.indexOf(b.collection));
  };
  if (toPack.length === 0) {
    await completeInterrupted();
    inManifestOrder();
    const state = collections.every((c) => c.alreadyDelivered) ? "already-delivered" : "delivered";
    return { ...base, ...described, state, passed: true, reasons: [], collections };
  }
  const packInput = {
    files: input.files,
    repo: input.repo,
    policy: input.policy,
    manifestPath: input.manifestPath,
    outputsDir: input.outputsDir,
    reviews,
    signingKey: input.signingKey,
    outDir: runDir,
    createdAt: input.createdAt,
    collections: toPack,
    evidence: input.evidence,
    ...input.runUrl !== void 0 ? { runUrl: input.runUrl } : {},
    onProgress: (collection, doneBytes, totalBytes) => input.onProgress?.({ phase: "packing", collection, doneBytes, totalBytes })
  };
  const packed = await packRequest(packInput);
  const packages = packed.packages.filter((p) => toPack.includes(p.collection));
  try {
    const missing = toPack.filter((name) => !packages.some((p) => p.collection === name));
    if (!packed.passed || missing.length > 0) {
      return {
        ...base,
        ...described,
        diagnostics: [...diagnostics, ...packed.diagnostics],
        state: packed.evaluation?.passed === false ? "not-cleared" : "invalid",
        reasons: [
          `Packing refused the request, so nothing was delivered: ${packed.reasons.join("; ") || `no package for ${missing.join(", ")}`}.`
        ]
      };
    }
    const delivered = await deliverPackages({
      packages,
      config: input.repo.config,
      signingKey: input.signingKey,
      createDelivery: input.createDelivery,
      context: input.deliveryContext,
      recipientKeys,
      ...input.onSecret ? { onSecret: input.onSecret } : {},
      onProgress: (collection, doneBytes, totalBytes) => input.onProgress?.({ phase: "delivering", collection, doneBytes, totalBytes })
    });
    collections.push(...delivered.map((d) => ({ ...d, recipients: d.receipt.recipients })));
    await completeInterrupted();
  } finally {
    await removePackages(packed.packages);
  }
  inManifestOrder();
  return { ...base, ...described, state: "delivered", passed: true, reasons: [], collections };
}
async function checkDestination(input, manifest, collection, excludedItems) {
  const destination = input.repo.config.destinations[collection.destination];
  if (!destination) {
    return { state: "conflict", reason: `destination '${collection.destination}' is not configured` };
  }
  return withDelivery(
    input,
    collection.destination,
    (delivery) => findExistingDelivery(
      delivery,
      { request: manifest.id, collection: collection.name, files: expectedFiles(collection, excludedItems) },
      input.signingKey
    )
  );
}
async function withDelivery(input, name, step) {
  const delivery = input.createDelivery(name, input.repo.config.destinations[name], input.deliveryContext);
  try {
    return await step(delivery);
  } finally {
    await delivery.close();
  }
}
function expectedFiles(collection, excludedItems) {
  const excluded = new Set(excludedItems);
  return collection.items.filter((item) => !excluded.has(item.path)).map((item) => ({ path: item.path, sha256: (item.sha256 ?? "").toLowerCase(), size: item.size ?? -1 }));
}
async function recipientKeysOf(repo) {
  const byFingerprint = /* @__PURE__ */ new Map();
  for (const [name, armored] of repo.keys) {
    const keys = await readPublicKeys(armored, `${repo.configDir}/keys/${name}`).catch(() => []);
    for (const key of keys) byFingerprint.set(formatFingerprint(key), key);
  }
  return byFingerprint;
}

// action/src/cli/commands/deliver.ts
var help = `Usage: egress-gate deliver <manifest> --reviews <file> --signing-key <file>
                           [--passphrase-file <file>] [--repo <dir>] [--config-dir <dir>]
                           [--outputs-root <dir>] [--work-dir <dir>] [--json]
       egress-gate deliver [<manifest>] --pr <number> --signing-key <file> [options]

The release by hand, for System Managers: the same checks and the same code path as the action's
release mode. The whole request is evaluated again (the reviews on the head commit, who merged
and their role); each collection's destination is asked for the signed receipt of an earlier
delivery (same request, collection and file hashes: already delivered, nothing is sent); the
other collections are packed (every pin re-hashed from the outputs), encrypted, signed and
delivered with their signed receipts. Nothing is delivered unless the whole request passes.

The reviews file must name 'head' and 'merger' (see 'egress-gate evaluate --help'). A
hand-written reviews file is a rehearsal, not evidence: with --pr the pull request, its reviews,
the merger and the trusted configuration (just before the merge) come from the forge, and the
receipt records the forge's review ids.

Options:
  --reviews <file>       the reviews file (or --pr)
  --signing-key <file>   the egress signing key (armored OpenPGP secret key)
  --passphrase-file <f>  passphrase of the signing key (first line of the file)
  --repo <dir>           egress repository root (default: current directory)
  --config-dir <dir>     trusted configuration folder (default: .egress)
  --outputs-root <dir>   where the outputs are (default: the configuration's outputsRoot under --repo)
  --work-dir <dir>       where packages are built and receipts kept (default: a new folder under
                         the system temporary directory); packages are removed once delivered
  --json                 print {state, passed, request, tier, evidence, collections: [{collection,
                         destination, location, package: {file, sha256, size}, recipients,
                         alreadyDelivered, receipt, sealedAccess}], reasons, diagnostics} on stdout
${pullRequestHelp}

Destination credentials come from the environment, never the command line:
  EGRESS_AZURE_CONNECTION_STRING or EGRESS_AZURE_ACCOUNT_KEY   azure-blob destinations
  EGRESS_SFTP_KEY_FILE [EGRESS_SFTP_KEY_PASSPHRASE]            sftp destinations
Azure access links are never printed in clear: 'sealedAccess' is an OpenPGP message encrypted to
the collection's recipients (post it, or send it; they run 'gpg --decrypt').

Progress goes to stderr. Exit codes: 0 every collection is at its destination (now or from an
earlier run), 1 the request is invalid, does not pass, or a destination holds a conflicting
receipt (nothing delivered), 2 usage or configuration error, 3 a destination or the forge failed
temporarily (re-run: delivered collections are skipped, partial uploads resume).
`;
var deliverCommand = {
  name: "deliver",
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandLine("deliver", argv, {
      reviews: { type: "string" },
      "signing-key": { type: "string" },
      "passphrase-file": { type: "string" },
      repo: { type: "string" },
      "config-dir": { type: "string" },
      "outputs-root": { type: "string" },
      "work-dir": { type: "string" },
      json: { type: "boolean", default: false },
      ...pullRequestOptions
    });
    const json = values.json === true;
    const repoRoot = resolve(io.cwd, values.repo ?? ".");
    const configDir = values["config-dir"] ?? ".egress";
    const prArgs = readPullRequestArgs("deliver", values, io);
    if (positionals.length > 1 || positionals.length === 0 && !prArgs) {
      io.stderr(
        "name exactly one manifest, e.g. egress-gate deliver requests/<id>.yaml --reviews reviews.yaml (see --help)\n"
      );
      return ExitCode.usage;
    }
    if (prArgs && values.reviews !== void 0) {
      io.stderr("give either --reviews <file> or --pr <number>, not both\n");
      return ExitCode.usage;
    }
    const signingKeyPath = resolve(
      io.cwd,
      requireOption("deliver", values["signing-key"], "--signing-key <file>")
    );
    const redactor = createRedactor();
    const say = (text) => io.stderr(redactor.redact(text));
    let source;
    let repository;
    let policyFiles;
    if (prArgs) {
      const forge = await createCliForge(prArgs, io);
      say(`reading pull request #${prArgs.number} from ${prArgs.apiUrl}\u2026
`);
      const pr = await readCliPullRequest(forge, prArgs, { configDir, require: "merged" });
      if (positionals[0] !== void 0 && pr.manifestPath !== toRepoPath(repoRoot, io.cwd, positionals[0])) {
        io.stderr(
          `pull request #${prArgs.number} carries ${pr.manifestPath ?? "no request"}, not ${positionals[0]}
`
        );
        return ExitCode.usage;
      }
      if (pr.refusals.length > 0 || !pr.manifestPath) {
        const reasons = pr.refusals.length > 0 ? pr.refusals : [`pull request #${prArgs.number} carries no request`];
        return report(io, json, failedOutcome(reasons), pr.evidence, ExitCode.failed);
      }
      source = { files: pr.files, manifestPath: pr.manifestPath, reviews: pr.reviews, evidence: pr.evidence };
      repository = pr.repository;
      policyFiles = pr.trusted;
    } else {
      const reviewsPath = resolve(
        io.cwd,
        requireOption("deliver", values.reviews, "--reviews <file> (or --pr <number>)")
      );
      const label = relative(io.cwd, reviewsPath) || reviewsPath;
      const text = await readUserFile(reviewsPath, "reviews file");
      const parsed = createReviewsFileParser().parse(text, label);
      if (!parsed.reviewsFile) {
        printDiagnostics(io, parsed.diagnostics);
        io.stderr(`the reviews file ${label} is invalid; nothing was delivered.
`);
        return ExitCode.usage;
      }
      const missing = ["head", "merger"].filter((k) => parsed.reviewsFile[k] === void 0);
      if (missing.length > 0) {
        io.stderr(
          `${label}: a delivery needs ${missing.map((k) => `'${k}'`).join(" and ")} in the reviews file (the head commit the reviews were made on, and who merged); nothing was delivered.
`
        );
        return ExitCode.usage;
      }
      const files = createFsRepoFiles(repoRoot);
      source = {
        files,
        manifestPath: toRepoPath(repoRoot, io.cwd, positionals[0]),
        reviews: parsed.reviewsFile,
        evidence: {
          source: "reviews-file",
          path: label,
          sha256: createHash("sha256").update(text).digest("hex")
        }
      };
      repository = await loadRepository(files, { configDir });
      policyFiles = files;
    }
    if (!repository.configValid || hasErrors(repository.diagnostics)) {
      printDiagnostics(io, repository.diagnostics);
      io.stderr(`the trusted configuration under ${configDir}/ is invalid; nothing was delivered.
`);
      return ExitCode.usage;
    }
    const loaded = await loadPolicy(repository.config.policy, policyFiles);
    if (!loaded.policy) {
      printDiagnostics(io, loaded.diagnostics);
      io.stderr(`the policy '${repository.config.policy}' cannot be used; nothing was delivered.
`);
      return ExitCode.usage;
    }
    const passphrase = values["passphrase-file"] ? await readPassphraseFile(resolve(io.cwd, values["passphrase-file"])) : void 0;
    redactor.add(passphrase);
    const signingKey = await readSecretKey(
      await readUserFile(signingKeyPath, "signing key"),
      relative(io.cwd, signingKeyPath) || signingKeyPath,
      passphrase
    );
    const secrets = await readDestinationSecrets(io);
    for (const s of Object.values(secrets)) redactor.add(s);
    const workDir = values["work-dir"] ? resolve(io.cwd, values["work-dir"]) : await mkdtemp2(join2(tmpdir(), "egress-deliver-"));
    const outputsDir = values["outputs-root"] ? resolve(io.cwd, values["outputs-root"]) : outputsDirOf(repoRoot, repository);
    let last = 0;
    const outcome = await releaseRequest({
      files: source.files,
      repo: repository,
      policy: loaded.policy,
      manifestPath: source.manifestPath,
      outputsDir,
      reviews: source.reviews,
      evidence: source.evidence,
      signingKey,
      createDelivery,
      deliveryContext: {
        repoRoot,
        secrets,
        ...source.reviews.merger ? { actor: source.reviews.merger } : {},
        log: (m) => say(`${maskSasSignatures(m)}
`)
      },
      workDir,
      createdAt: createdAtFrom(io.env),
      onSecret: (s) => redactor.add(s),
      onProgress(event) {
        if (event.phase === "checking") return say(`checking ${event.collection} at its destination\u2026
`);
        const now = Date.now();
        if (now - last < 1e3 && event.doneBytes < event.totalBytes) return;
        last = now;
        say(
          `${event.phase} ${event.collection}: ${(event.doneBytes / 1048576).toFixed(1)}/${(event.totalBytes / 1048576).toFixed(1)} MiB
`
        );
      }
    });
    if (!json) printDiagnostics(io, outcome.diagnostics);
    const code = outcome.passed ? ExitCode.ok : ExitCode.failed;
    return report(io, json, outcome, source.evidence, code, redactor.redact);
  }
};
function failedOutcome(reasons) {
  return { state: "not-cleared", passed: false, diagnostics: [], reasons, collections: [] };
}
function report(io, json, outcome, evidence, code, redact = (t) => t) {
  if (json) {
    io.stdout(
      redactKeeping(
        redact,
        (keep) => `${JSON.stringify({
          state: outcome.state,
          passed: outcome.passed,
          request: outcome.requestId ?? null,
          tier: outcome.tier ?? null,
          evidence,
          collections: outcome.collections.map((c) => ({
            collection: c.collection,
            destination: c.destination,
            location: c.receipt.destination?.location ?? c.location,
            package: c.receipt.package ?? null,
            recipients: c.recipients,
            alreadyDelivered: c.alreadyDelivered,
            receipt: c.receiptPath,
            ...c.sealedAccess ? { sealedAccess: keep(c.sealedAccess) } : {}
          })),
          reasons: outcome.reasons,
          diagnostics: sortDiagnostics(outcome.diagnostics)
        })}
`,
        (sealed) => JSON.stringify(sealed).slice(1, -1)
      )
    );
    return code;
  }
  for (const c of outcome.collections) {
    const pkg = c.receipt.package;
    io.stdout(
      redactKeeping(
        redact,
        (keep) => `${c.alreadyDelivered ? "already delivered" : "delivered"} ${c.collection} (tier ${c.receipt.tier}) \u2192 ${c.destination}: ${c.receipt.destination?.location ?? c.location}
` + (pkg ? `  ${pkg.file}: sha256 ${pkg.sha256}, ${pkg.size} bytes
` : "") + `  encrypted to ${c.recipients.join(", ")}
  signed receipt: ${c.receiptPath}
` + (c.sealedAccess ? `  access links, encrypted to the recipients (send this; they run gpg --decrypt):
${keep(c.sealedAccess.trim())}
` : "")
      )
    );
  }
  if (!outcome.passed) {
    io.stderr(redact(`nothing was delivered:
${outcome.reasons.map((r) => `  - ${r}
`).join("")}`));
  } else if (outcome.state === "already-delivered") {
    io.stdout("every collection was already delivered by an earlier run; nothing was uploaded.\n");
  }
  io.stdout(
    `evidence: ${evidence.source === "forge" ? `pull request #${evidence.pullRequest}${evidence.url ? ` (${evidence.url})` : ""}` : `reviews file ${evidence.path} (a rehearsal, not evidence)`}
`
  );
  return code;
}
async function readDestinationSecrets(io) {
  const env = io.env;
  const keyFile = env["EGRESS_SFTP_KEY_FILE"];
  return {
    ...env["EGRESS_AZURE_CONNECTION_STRING"] ? { azureConnectionString: env["EGRESS_AZURE_CONNECTION_STRING"] } : {},
    ...env["EGRESS_AZURE_ACCOUNT_KEY"] ? { azureAccountKey: env["EGRESS_AZURE_ACCOUNT_KEY"] } : {},
    ...keyFile ? { sftpPrivateKey: await readUserFile(resolve(io.cwd, keyFile), "SFTP private key") } : {},
    ...env["EGRESS_SFTP_KEY_PASSPHRASE"] ? { sftpPrivateKeyPassphrase: env["EGRESS_SFTP_KEY_PASSPHRASE"] } : {}
  };
}
function createdAtFrom(env) {
  const epoch = env["SOURCE_DATE_EPOCH"];
  const date = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1e3) : /* @__PURE__ */ new Date();
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
export {
  deliverCommand
};
