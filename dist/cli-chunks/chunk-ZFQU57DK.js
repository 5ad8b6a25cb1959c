#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  packRequest,
  readSecretKey
} from "./chunk-LRTINK2B.js";
import {
  pullRequestHelp,
  pullRequestOptions,
  readPullRequestArgs,
  readPullRequestForCommand
} from "./chunk-G3NZJGV7.js";
import {
  createReviewsFileParser
} from "./chunk-HZHVPSEG.js";
import {
  printDiagnostics
} from "./chunk-3JVZ3KOA.js";
import {
  createFsRepoFiles,
  findRepoRoot,
  hasErrors,
  loadPolicy,
  loadRepository,
  outputsDirOf,
  parseCommandLine,
  requireOnePositional,
  requireOption,
  sortDiagnostics,
  toRepoPath
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import {
  EgressError,
  describeError,
  isEgressError
} from "./chunk-7N3PT735.js";

// action/src/cli/commands/pack.ts
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
var help = `Usage: egress-gate pack <manifest> --reviews <file> --out <dir> --signing-key <file>
                        [--passphrase-file <file>] [--package-passphrase-file <file>]
                        [--repo <dir>] [--config-dir <dir>] [--json]
       egress-gate pack [<manifest>] --pr <number> --out <dir> --signing-key <file> [options]

Evaluates the request from the reviews file (or, with --pr, from the forge) (as 'egress-gate evaluate' does) and, only when the
whole request passes, builds one encrypted, signed package per collection:
<out>/<request>-<collection>.tar.gpg. The request passes when the manifest is valid, every
collection is cleared, and the merger holds the releasing role; the reviews file must name 'head'
(the full commit id) and 'merger'. Otherwise nothing is written and the reasons are printed.

Each package is an OpenPGP message (signed, then encrypted; uncompressed) holding a tar archive:
  <request>-<collection>/RECEIPT.json   the full record: request, collection, tier, each role's
                                        classification (review id, full commit), discussion with
                                        treatments, provider notification, files, recipients,
                                        passphrase yes/no, signer, merger, where the reviews came from
  <request>-<collection>/SHA256SUMS     for 'sha256sum -c'
  <request>-<collection>/files/...      the items, as pinned (items marked 'remove' never enter)
It is encrypted to the keys the policy names (for sensitive tiers, the data provider's keys only),
signed by the key .egress/config.yaml names as 'signingKey' (any other key is refused), and readable
by GnuPG 2.2 for v4 keys.

All or nothing: every item path, size and output name is checked before anything is written; every
file is checked against its pin while it is packed, and on any failure every package of this run is
removed again. An existing package or receipt under a final name is never replaced.

Options:
  --reviews <file>                  the reviews file (see 'egress-gate evaluate --help'), or --pr
  --out <dir>                       where the packages go (created if missing)
  --signing-key <file>              the egress signing key (armored OpenPGP secret key)
  --passphrase-file <file>          passphrase of the signing key (first line of the file)
  --package-passphrase-file <file>  also let this passphrase open the packages (send it by
                                    another channel); refused from the policy's sensitive tier
                                    (Turing: 2), recorded in the receipt below it
  --repo <dir>                      egress repository root (default: current directory)
  --config-dir <dir>                trusted configuration folder (default: .egress)
  --json                            print {passed, reasons, packages: [{collection, file, path,
                                    sha256, size, tier, recipients, signer, passphrase, files}],
                                    skipped: [{collection, state, reasons}], diagnostics, error?}
                                    on stdout, also when it fails
${pullRequestHelp}

SOURCE_DATE_EPOCH, when set, fixes the receipt time (and the archive's mtimes): the same inputs
then give the same tar bytes.

Exit codes: 0 every collection packed; 1 the request is invalid or does not pass, or a file does
not match its pin (nothing written); 2 usage or configuration error (a wrong signing key, a
package passphrase at a sensitive tier, an output name already taken; nothing written).
`;
function parsePackArgs(argv, io) {
  const { values, positionals } = parseCommandLine("pack", argv, {
    reviews: { type: "string" },
    out: { type: "string" },
    "signing-key": { type: "string" },
    "passphrase-file": { type: "string" },
    "package-passphrase-file": { type: "string" },
    repo: { type: "string" },
    "config-dir": { type: "string" },
    json: { type: "boolean", default: false },
    ...pullRequestOptions
  });
  const pr = readPullRequestArgs("pack", values, io);
  if (pr && (values.reviews !== void 0 || positionals.length > 1)) {
    throw new EgressError(
      "USAGE",
      "with --pr, give no --reviews and at most the manifest the pull request carries"
    );
  }
  const arg = pr ? positionals[0] : requireOnePositional("pack", positionals, "manifest", "requests/<id>.yaml");
  const at = (value) => value === void 0 ? void 0 : resolve(io.cwd, value);
  const repoRoot = findRepoRoot(io.cwd, values.repo, values["config-dir"]);
  const passphrasePath = at(values["passphrase-file"]);
  const packagePassphrasePath = at(values["package-passphrase-file"]);
  return {
    repoRoot,
    manifestPath: pr || arg === void 0 ? "" : toRepoPath(repoRoot, io.cwd, arg),
    ...pr ? { pr, ...arg !== void 0 ? { manifestArg: arg } : {} } : {},
    reviewsPath: pr ? "" : resolve(io.cwd, requireOption("pack", values.reviews, "--reviews <file>")),
    outDir: resolve(io.cwd, requireOption("pack", values.out, "--out <dir>")),
    signingKeyPath: resolve(io.cwd, requireOption("pack", values["signing-key"], "--signing-key <file>")),
    ...passphrasePath ? { passphrasePath } : {},
    ...packagePassphrasePath ? { packagePassphrasePath } : {},
    configDir: values["config-dir"] ?? ".egress",
    json: values.json === true
  };
}
async function readUserFile(path, what) {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new EgressError(
      "INPUT",
      `cannot read the ${what} '${path}': ${error.code ?? "error"}`,
      {
        cause: error
      }
    );
  }
}
async function readPassphraseFile(path) {
  const text = await readUserFile(path, "passphrase file");
  return text.split(/\r?\n/)[0] ?? "";
}
function createdAtFrom(env) {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== void 0 && epoch !== "") {
    if (!/^\d+$/.test(epoch))
      throw new EgressError("USAGE", `SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
    return new Date(Number(epoch) * 1e3).toISOString().replace(/\.000Z$/, "Z");
  }
  return (/* @__PURE__ */ new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
}
var packCommand = {
  name: "pack",
  help,
  async run(argv, io) {
    const args = parsePackArgs(argv, io);
    try {
      return await pack(args, io);
    } catch (error) {
      io.stderr(`egress-gate pack: ${describeError(error)}
`);
      if (args.json) {
        const code = isEgressError(error) ? error.code : "INTERNAL";
        io.stdout(
          `${JSON.stringify({
            passed: false,
            reasons: [],
            packages: [],
            skipped: [],
            diagnostics: [],
            error: { code, message: describeError(error) }
          })}
`
        );
      }
      if (isEgressError(error)) {
        if (error.transient) return ExitCode.transient;
        if (error.code === "INTEGRITY") return ExitCode.failed;
      }
      return ExitCode.usage;
    }
  }
};
async function pack(args, io) {
  const fromForge = args.pr ? await readPullRequestForCommand("pack", args.pr, io, {
    configDir: args.configDir,
    repoRoot: args.repoRoot,
    ...args.manifestArg !== void 0 ? { manifestArg: args.manifestArg } : {}
  }) : void 0;
  if (fromForge) args.manifestPath = fromForge.manifestPath;
  const reviewsLabel = relative(io.cwd, args.reviewsPath) || args.reviewsPath;
  const reviewsText = fromForge ? "" : await readUserFile(args.reviewsPath, "reviews file");
  const reviews = fromForge ? { reviewsFile: fromForge.reviews, diagnostics: [] } : createReviewsFileParser().parse(reviewsText, reviewsLabel);
  const refuse = (diagnostics, message) => {
    if (args.json) {
      io.stdout(
        `${JSON.stringify({ passed: false, reasons: [message], packages: [], skipped: [], diagnostics: sortDiagnostics(diagnostics) })}
`
      );
    } else printDiagnostics(io, diagnostics);
    io.stderr(`${message}
`);
    return ExitCode.usage;
  };
  if (!reviews.reviewsFile) {
    return refuse(reviews.diagnostics, `the reviews file ${reviewsLabel} is invalid; nothing was packed.`);
  }
  const files = fromForge?.files ?? createFsRepoFiles(args.repoRoot);
  const repo = fromForge?.repository ?? await loadRepository(files, { configDir: args.configDir });
  if (!repo.configValid || hasErrors(repo.diagnostics)) {
    return refuse(
      repo.diagnostics,
      `the trusted configuration under ${args.configDir}/ is invalid; nothing was packed.`
    );
  }
  const loaded = await loadPolicy(repo.config.policy, fromForge?.trusted ?? files);
  if (!loaded.policy) {
    return refuse(
      loaded.diagnostics,
      `the policy '${repo.config.policy}' cannot be used; nothing was packed.`
    );
  }
  const passphrase = args.passphrasePath ? await readPassphraseFile(args.passphrasePath) : void 0;
  const signingKey = await readSecretKey(
    await readUserFile(args.signingKeyPath, "signing key"),
    relative(io.cwd, args.signingKeyPath) || args.signingKeyPath,
    passphrase
  );
  const packagePassphrase = args.packagePassphrasePath ? await readPassphraseFile(args.packagePassphrasePath) : void 0;
  if (packagePassphrase === "") {
    throw new EgressError(
      "USAGE",
      `the package passphrase file '${args.packagePassphrasePath}' has an empty first line; write the passphrase on it.`
    );
  }
  let lastReport = Date.now();
  const result = await packRequest({
    files,
    repo,
    policy: loaded.policy,
    manifestPath: args.manifestPath,
    outputsDir: outputsDirOf(args.repoRoot, repo),
    reviews: reviews.reviewsFile,
    evidence: fromForge?.evidence ?? {
      source: "reviews-file",
      path: reviewsLabel,
      sha256: createHash("sha256").update(reviewsText).digest("hex")
    },
    signingKey,
    ...packagePassphrase !== void 0 ? { passwords: [packagePassphrase] } : {},
    outDir: args.outDir,
    createdAt: createdAtFrom(io.env),
    onProgress(collection, done, total) {
      if (args.json || Date.now() - lastReport < 1e3) return;
      lastReport = Date.now();
      io.stderr(
        `packing ${collection}: ${(done / 1048576).toFixed(0)}/${(total / 1048576).toFixed(0)} MiB
`
      );
    }
  });
  if (args.json) {
    io.stdout(
      `${JSON.stringify({
        passed: result.passed,
        reasons: result.reasons,
        packages: result.packages.map((p) => ({
          collection: p.collection,
          file: p.package.file,
          path: p.package.path,
          sha256: p.package.sha256,
          size: p.package.size,
          tier: p.receipt.tier,
          recipients: p.receipt.recipients,
          signer: p.receipt.signer,
          passphrase: p.receipt.passphrase,
          files: p.receipt.files.length
        })),
        skipped: result.skipped,
        diagnostics: sortDiagnostics(result.diagnostics)
      })}
`
    );
  } else {
    printDiagnostics(io, result.diagnostics);
    for (const p of result.packages) {
      io.stdout(
        `packed ${p.collection} (tier ${p.receipt.tier}, ${p.receipt.files.length} files) \u2192 ${p.package.path}
  sha256 ${p.package.sha256}, ${p.package.size} bytes
  encrypted to ${p.receipt.recipients.join(", ")}${p.receipt.passphrase ? " and a passphrase" : ""}; signed by ${p.receipt.signer}
`
      );
    }
    for (const s of result.skipped) {
      io.stdout(`not cleared: ${s.collection} is ${s.state}
${s.reasons.map((r) => `  - ${r}
`).join("")}`);
    }
    io.stdout(
      `${result.passed ? "the request passes:" : "the request does not pass; nothing was packed:"}
${result.reasons.map((r) => `  - ${r}
`).join("")}`
    );
  }
  return result.passed ? ExitCode.ok : ExitCode.failed;
}

export {
  readUserFile,
  readPassphraseFile,
  packCommand
};
