#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  verifyPackage
} from "./chunk-NRXVDTJN.js";
import {
  lockRequest
} from "./chunk-GKUFFHRN.js";
import {
  createDelivery,
  deliverPackages
} from "./chunk-6TCXWVMB.js";
import "./chunk-PAHEFPVV.js";
import {
  packRequest,
  readPublicKeys,
  readSecretKey
} from "./chunk-LRTINK2B.js";
import {
  parseReviewsFile
} from "./chunk-HZHVPSEG.js";
import "./chunk-GA5RL33M.js";
import {
  createFsRepoFiles,
  formatDiagnostic,
  generateKey,
  hasErrors,
  loadPolicy,
  loadRepository,
  outputsDirOf,
  parseCommandLine,
  readKey,
  validateRequest
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/cli/commands/demo.ts
import { mkdir as mkdir3, mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join3, resolve } from "node:path";

// action/src/app/run-demo.ts
import { createHash } from "node:crypto";
import { mkdir as mkdir2, readFile, writeFile as writeFile2 } from "node:fs/promises";
import { join as join2 } from "node:path";

// action/src/crypto/generate-key.ts
async function generateDemoKey(name, email) {
  const { publicKey, privateKey } = await generateKey({
    type: "ecc",
    curve: "curve25519Legacy",
    userIDs: [{ name, email }],
    format: "armored"
  });
  const key = await readKey({ armoredKey: publicKey });
  return { publicKey, privateKey, fingerprint: key.getFingerprint().toUpperCase() };
}

// action/src/app/demo-repository.ts
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
var demoRequestId = "dsg-2026-demo-egress";
var demoRequestPath = `requests/${demoRequestId}.yaml`;
var config = `# egress-gate configuration (trusted: read from the base branch)
policy: turing-dsh
outputsRoot: outputs
signingKey: egress-signing.asc
destinations:
  researcher-disk:
    kind: physical
    path: delivered/researcher
    description: Encrypted disk handed to the investigator for report writing
  provider-disk:
    kind: physical
    path: delivered/data-provider
    description: Encrypted disk returned to the original data provider
`;
var workPackage = `id: dsg-2026-demo
title: Data Study Group demo \u2014 hospital admissions
tier: 3
roles:
  investigator: [alice]
  data-provider-representative: [bob]
  referee: [carol]
  system-manager: [dora]
dataProvider:
  name: Example NHS Trust
  keys: [data-provider.asc]
  destinations: [provider-disk]
destinations: [researcher-disk, provider-disk]
recipients: [investigator.asc]
`;
var outputs = {
  "report/summary.md": "# Admissions study\n\nWeekly admissions fell by 8% after the intervention (see table 1).\n",
  "report/table-1.csv": "region,admissions_2025,admissions_2026\nNorth,1250,1163\nSouth,980,902\n",
  "code/aggregate.py": "import csv, sys\n# Aggregates admissions by region and year; small counts are suppressed upstream.\nrows = list(csv.DictReader(open(sys.argv[1])))\nprint(len(rows))\n",
  "derived/admissions-by-week.csv": "week,region,admissions\n2026-W01,North,101\n2026-W01,South,87\n2026-W02,North,95\n2026-W02,South,79\n"
};
var manifest = `# An egress request: two collections, classified and delivered separately.
id: ${demoRequestId}
workPackage: dsg-2026-demo
title: Final outputs of the admissions study
purpose: Finish the report outside the environment and hand all outputs back to the provider.
requester: erin
collections:
  - name: report-inputs
    kind: report
    description: Text and the summary table needed to finish the report.
    destination: researcher-disk
    items:
      - path: report
  - name: data-provider-handover
    kind: derived-dataset
    description: The derived weekly dataset and the code that produced it, returned for archiving.
    destination: provider-disk
    provenance:
      code: [code/aggregate.py]
      command: python code/aggregate.py extract.csv
    items:
      - path: derived/admissions-by-week.csv
      - path: code/aggregate.py
`;
async function writeDemoRepository(root, keys) {
  const files = {
    ".egress/config.yaml": config,
    ".egress/work-packages/dsg-2026-demo.yaml": workPackage,
    [demoRequestPath]: manifest,
    ...Object.fromEntries(Object.entries(outputs).map(([path, text]) => [`outputs/${path}`, text])),
    ...Object.fromEntries(
      Object.entries(keys.publicKeys).map(([name, text]) => [`.egress/keys/${name}`, text])
    )
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}
function demoReviewsFile(head) {
  return `author: erin
head: ${head}
merger: dora
reviews:
  - user: bob
    state: APPROVED
    commit: ${head}
    body: |
      Checked the table and the derived dataset against the agreed aggregation.
      tier: 1
  - user: carol
    state: APPROVED
    commit: ${head}
    body: "tier: 1"
  - user: alice
    state: APPROVED
    commit: ${head}
    body: "tier: 1"
  - user: erin
    state: APPROVED
    commit: ${head}
    body: "tier: 0 (the requester's own approval never counts)"
  - user: dora
    state: COMMENTED
    commit: ${head}
    body: Will deliver on merge.
`;
}

// action/src/app/run-demo.ts
var recipientOf = {
  "report-inputs": "investigator",
  "data-provider-handover": "data-provider"
};
async function runDemo(input) {
  const { workspace, log } = input;
  const secrets = join2(workspace, "recipient-secrets");
  await mkdir2(secrets, { recursive: true });
  log("1. Generating throwaway OpenPGP keys (v4 Curve25519, readable by GnuPG 2.2)\u2026");
  const signing = await generateDemoKey("egress-gate demo signing key", "egress@tre.example");
  const investigator = await generateDemoKey("Alice (investigator)", "alice@university.example");
  const provider = await generateDemoKey("Example NHS Trust", "data@trust.example");
  await writeDemoRepository(workspace, {
    publicKeys: {
      "egress-signing.asc": signing.publicKey,
      "investigator.asc": investigator.publicKey,
      "data-provider.asc": provider.publicKey
    }
  });
  await writeFile2(join2(secrets, "investigator.secret.asc"), investigator.privateKey, { mode: 384 });
  await writeFile2(join2(secrets, "data-provider.secret.asc"), provider.privateKey, { mode: 384 });
  const files = input.createFiles(workspace);
  const repo = await loadRepository(files);
  if (hasErrors(repo.diagnostics)) throw demoBroken(repo.diagnostics.map(formatDiagnostic));
  const outputsDir = outputsDirOf(workspace, repo);
  log(`2. Researcher erin locks ${demoRequestPath} (directories expand, SHA-256 pins filled in)\u2026`);
  const locked = await lockRequest({ files, manifestPath: demoRequestPath, outputsDir, repo });
  if (locked.text === void 0) throw demoBroken(locked.diagnostics.map(formatDiagnostic));
  await writeFile2(join2(workspace, demoRequestPath), locked.text);
  const validated = await validateRequest({ files, manifestPath: demoRequestPath, outputsDir, repo });
  if (hasErrors(validated.diagnostics)) throw demoBroken(validated.diagnostics.map(formatDiagnostic));
  log(`   ${locked.files} files pinned, ${locked.bytes} bytes; the manifest validates.`);
  const head = createHash("sha256").update(locked.text).digest("hex").slice(0, 40);
  const reviewsText = demoReviewsFile(head);
  await writeFile2(join2(workspace, "reviews.yaml"), reviewsText);
  const reviews = parseReviewsFile(reviewsText, "reviews.yaml");
  if (!reviews.reviewsFile) throw demoBroken(reviews.diagnostics.map(formatDiagnostic));
  const loadedPolicy = await loadPolicy(repo.config.policy, files);
  if (!loadedPolicy.policy) throw demoBroken(loadedPolicy.diagnostics.map(formatDiagnostic));
  log('3. Investigator alice, data provider representative bob and referee carol approve with "tier: 1";');
  log("   system manager dora merges. Evaluating the Turing policy\u2026");
  const signingKey = await readSecretKey(signing.privateKey, "demo signing key");
  const createdAt = (input.now ?? /* @__PURE__ */ new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  const packed = await packRequest({
    files,
    repo,
    policy: loadedPolicy.policy,
    manifestPath: demoRequestPath,
    outputsDir,
    reviews: reviews.reviewsFile,
    evidence: { source: "reviews-file", path: "reviews.yaml" },
    signingKey,
    outDir: join2(workspace, "packages"),
    createdAt
  });
  if (!packed.evaluation || !packed.passed) {
    const why = packed.skipped.flatMap((s) => s.reasons.map((r) => `${s.collection}: ${r}`));
    throw demoBroken([...packed.diagnostics.map(formatDiagnostic), ...why]);
  }
  for (const c of packed.evaluation.collections) {
    log(
      `   ${c.name}: ${c.state} at tier ${c.tier} (${c.classifications.map((k) => `${k.role} @${k.user}`).join(", ")})`
    );
  }
  log("4. Packing, encrypting and signing each collection, then delivering to its destination\u2026");
  const delivered = await deliverPackages({
    packages: packed.packages,
    config: repo.config,
    signingKey,
    createDelivery: input.createDelivery,
    context: { repoRoot: workspace, secrets: {}, actor: "dora" }
  });
  for (const d of delivered) {
    log(`   ${d.collection} \u2192 ${d.location}/${d.receipt.package?.file} (${d.receipt.package?.size} bytes)`);
  }
  log("5. Each recipient verifies and opens their package\u2026");
  const signerKeys = await readPublicKeys(signing.publicKey, "demo signing key");
  const verified = [];
  for (const d of delivered) {
    const recipient = recipientOf[d.collection] ?? "investigator";
    const secret = await readFile(join2(secrets, `${recipient}.secret.asc`), "utf8");
    const outDir = join2(workspace, "opened", recipient);
    const result = await verifyPackage({
      packagePath: join2(d.location, d.receipt.package?.file ?? ""),
      decryptionKey: await readSecretKey(secret, `${recipient} secret key`),
      signerKeys,
      outDir
    });
    verified.push({ collection: d.collection, recipient, outDir, result });
    log(
      `   ${recipient} opened ${d.collection}: signature by ${result.signer}, ${result.fileCount} files checked`
    );
  }
  return { workspace, head, evaluation: packed.evaluation, delivered, verified };
}
function demoBroken(lines) {
  return new EgressError("INTERNAL", `the demo's embedded repository did not pass:
  ${lines.join("\n  ")}`);
}

// action/src/cli/commands/demo.ts
var help = `Usage: egress-gate demo [--out <dir> | --repo <dir>] [--json]

Runs a complete egress on the embedded defaults, with no forge and no cloud: writes the seeds'
Data Study Group case study as an egress repository (built-in Turing policy, two collections,
physical destinations), generates throwaway OpenPGP keys, locks the request, classifies it with
three simulated approvals, packs, encrypts, signs and delivers each collection, and opens every
package as its recipient would.

Options:
  --out <dir>   where to build the demo repository (must be empty or absent; default: a new
                temporary folder)
  --repo <dir>  the same as --out: the demo's egress repository root
  --json        print {workspace, head, evaluation, delivered, verified} on stdout

Exit codes: 0 the demo egress completed, 2 the workspace cannot be used.`;
async function prepareWorkspace(out, cwd) {
  if (out === void 0) return mkdtemp(join3(tmpdir(), "egress-gate-demo-"));
  const dir = resolve(cwd, out);
  await mkdir3(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new EgressError("USAGE", `--out ${dir} is not empty; name a new or empty folder for the demo`);
  }
  return dir;
}
var demoCommand = {
  name: "demo",
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandLine("demo", argv, {
      out: { type: "string" },
      json: { type: "boolean", default: false }
    });
    if (positionals.length > 0) {
      throw new EgressError(
        "USAGE",
        `demo takes no arguments (got '${positionals[0]}'); see egress-gate demo --help`
      );
    }
    if (values.out !== void 0 && values.repo !== void 0 && values.out !== values.repo) {
      throw new EgressError("USAGE", "give --out or --repo (the same folder for the demo), not both");
    }
    const workspace = await prepareWorkspace(values.out ?? values.repo, io.cwd);
    const log = values.json ? (line) => io.stderr(`${line}
`) : (line) => io.stdout(`${line}
`);
    log(`egress-gate demo in ${workspace}`);
    const result = await runDemo({ workspace, createFiles: createFsRepoFiles, createDelivery, log });
    if (values.json) {
      io.stdout(`${JSON.stringify(result)}
`);
      return ExitCode.ok;
    }
    const first = result.delivered[0];
    const pkg = first ? join3(first.location, first.receipt.package?.file ?? "") : "<package>";
    log("");
    log("Done: every collection was cleared, delivered encrypted and opened by its recipient.");
    log(`Look around ${workspace}: requests/ (the locked manifest), reviews.yaml, delivered/, opened/.`);
    log("A recipient needs nothing of ours; with GnuPG alone:");
    log(
      `  export GNUPGHOME=$(mktemp -d) && gpg --batch --import ${workspace}/recipient-secrets/investigator.secret.asc`
    );
    log(`  gpg --batch --import ${workspace}/.egress/keys/egress-signing.asc`);
    log(`  gpg --batch --decrypt --output package.tar ${pkg} && tar -xf package.tar`);
    log(
      `  (cd ${first ? `${first.receipt.request.id}-${first.collection}` : "<request>-<collection>"} && gpg --verify SHA256SUMS.asc SHA256SUMS && sha256sum -c SHA256SUMS)`
    );
    return ExitCode.ok;
  }
};
export {
  demoCommand
};
