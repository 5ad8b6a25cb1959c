#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  pullRequestHelp,
  pullRequestOptions,
  readPullRequestArgs,
  readPullRequestForCommand
} from "./chunk-G3NZJGV7.js";
import {
  createReviewsFileParser,
  evaluatePolicy,
  roleTitle,
  shortSha
} from "./chunk-HZHVPSEG.js";
import {
  disclosureFacts,
  scanRequestOutputs
} from "./chunk-GA5RL33M.js";
import {
  createProgressReporter,
  printDiagnostics
} from "./chunk-3JVZ3KOA.js";
import {
  createFsRepoFiles,
  findRepoRoot,
  finishPinCheck,
  hasErrors,
  loadPolicy,
  loadRepository,
  outputsDirOf,
  parseCommandLine,
  requireOnePositional,
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

// action/src/cli/commands/evaluate.ts
import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
var help = `Usage: egress-gate evaluate <manifest> --reviews <file> [--repo <dir>] [--json]
                            [--config-dir <dir>] [--skip-pins]
       egress-gate evaluate [<manifest>] --pr <number> [--forge <kind>] [--api-url <url>]
                            [--forge-repo <owner/name>] [--repo <dir>] [--skip-pins] [--json]

Resolves an egress request offline: reads the reviews from a file instead of the forge and applies
the policy named in .egress/config.yaml, exactly as the action does on the pull request.

The reviews file (YAML):
  author: erin             # who opened the pull request (their reviews never count)
  head: 5f3c9e1            # optional: the current head commit; a review on another commit is stale
  merger: dora             # optional: who merged; must hold the releasing (system-manager) role
  reviews:                 # oldest first, as the forge lists them
    - user: alice
      state: APPROVED      # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
      commit: 5f3c9e1
      body: |
        tier: 1            # every collection; or per collection: tier report-inputs: 1

Each collection ends in one state: cleared, awaiting-review, needs-discussion, changes-requested
or blocked. The request passes when the manifest is valid, every pin verifies and every
collection is cleared.

Options:
  --reviews <file>     the reviews file (required)
  --repo <dir>         egress repository root (default: current directory)
  --json               print {passed, state, tier, collections: [{name, state, tier,
                       classifications: [{role, user, tier, reviewId, commit}], reasons, missing,
                       ignored, excludedItems, recipients}], reasons, diagnostics} on stdout
  --config-dir <dir>   trusted configuration folder, relative to the repository (default: .egress)
  --skip-pins          do not hash the outputs (when they are not on this machine)
${pullRequestHelp}

Exit codes: 0 passed, 1 invalid or does not pass, 2 usage or configuration error.
`;
function parseEvaluateArgs(argv, io) {
  const parsed = parseCommandLine("evaluate", argv, {
    reviews: { type: "string" },
    repo: { type: "string" },
    json: { type: "boolean", default: false },
    "config-dir": { type: "string" },
    "skip-pins": { type: "boolean", default: false },
    ...pullRequestOptions
  });
  const pr = readPullRequestArgs("evaluate", parsed.values, io);
  if (pr) {
    if (parsed.values.reviews !== void 0 || parsed.positionals.length > 1) {
      throw new EgressError(
        "USAGE",
        "with --pr, give no --reviews and at most the manifest the pull request carries"
      );
    }
    return {
      repoRoot: resolve(io.cwd, parsed.values.repo ?? "."),
      manifestPath: "",
      reviewsPath: "",
      pr,
      ...parsed.positionals[0] !== void 0 ? { manifestArg: parsed.positionals[0] } : {},
      json: parsed.values.json ?? false,
      configDir: parsed.values["config-dir"] ?? ".egress",
      skipPins: parsed.values["skip-pins"] ?? false
    };
  }
  const arg = requireOnePositional(
    "evaluate",
    parsed.positionals,
    "manifest",
    "requests/<id>.yaml --reviews reviews.yaml"
  );
  const reviews = requireOption(
    "evaluate",
    parsed.values.reviews,
    "--reviews <file>: the reviews to evaluate"
  );
  const repoRoot = findRepoRoot(io.cwd, parsed.values.repo, parsed.values["config-dir"]);
  return {
    repoRoot,
    manifestPath: toRepoPath(repoRoot, io.cwd, arg),
    reviewsPath: resolve(io.cwd, reviews),
    json: parsed.values.json ?? false,
    configDir: parsed.values["config-dir"] ?? ".egress",
    skipPins: parsed.values["skip-pins"] ?? false
  };
}
async function readReviewsText(path) {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new EgressError(
      "INPUT",
      `cannot read the reviews file '${path}': ${error.code ?? error}`,
      {
        cause: error
      }
    );
  }
}
var evaluateCommand = {
  name: "evaluate",
  help,
  async run(argv, io) {
    const args = parseEvaluateArgs(argv, io);
    const fromForge = args.pr ? await readPullRequestForCommand("evaluate", args.pr, io, {
      configDir: args.configDir,
      repoRoot: args.repoRoot,
      ...args.manifestArg !== void 0 ? { manifestArg: args.manifestArg } : {}
    }) : void 0;
    if (fromForge) args.manifestPath = fromForge.manifestPath;
    const reviewsLabel = relative(io.cwd, args.reviewsPath) || args.reviewsPath;
    const reviews = fromForge ? { reviewsFile: fromForge.reviews, diagnostics: [] } : createReviewsFileParser().parse(await readReviewsText(args.reviewsPath), reviewsLabel);
    const fail = (code, diagnostics2, valid, message) => {
      if (args.json) {
        const payload = {
          passed: false,
          valid,
          collections: [],
          reasons: [message],
          diagnostics: sortDiagnostics(diagnostics2)
        };
        io.stdout(`${JSON.stringify(payload)}
`);
      } else {
        printDiagnostics(io, diagnostics2);
        io.stderr(`${message}
`);
      }
      return code;
    };
    if (!reviews.reviewsFile) {
      return fail(
        ExitCode.usage,
        reviews.diagnostics,
        false,
        `the reviews file ${reviewsLabel} is invalid; nothing was evaluated.`
      );
    }
    const files = fromForge?.files ?? createFsRepoFiles(args.repoRoot);
    const repo = fromForge?.repository ?? await loadRepository(files, { configDir: args.configDir });
    if (!repo.configValid || hasErrors(repo.diagnostics)) {
      return fail(
        ExitCode.usage,
        repo.diagnostics,
        false,
        `the trusted configuration under ${args.configDir}/ is invalid; fix it on the base branch first.`
      );
    }
    const loaded = await loadPolicy(repo.config.policy, fromForge?.trusted ?? files);
    if (!loaded.policy) {
      return fail(
        ExitCode.usage,
        loaded.diagnostics,
        false,
        `the policy '${repo.config.policy}' cannot be used.`
      );
    }
    const progress = args.json ? void 0 : createProgressReporter(io, `hashing ${args.manifestPath}`);
    const validated = await validateRequest({
      files,
      manifestPath: args.manifestPath,
      repo,
      configDir: args.configDir,
      ...args.skipPins ? {} : { outputsDir: outputsDirOf(args.repoRoot, repo), deferHashes: true },
      ...progress ? { onProgress: progress } : {}
    });
    const manifest = validated.manifest;
    const workPackage = manifest ? repo.workPackages.get(manifest.workPackage) : void 0;
    if (!manifest || !workPackage || hasErrors(validated.diagnostics)) {
      await finishPinCheck(validated, /* @__PURE__ */ new Map(), progress);
    }
    const digests = /* @__PURE__ */ new Map();
    const findings = args.skipPins || !manifest || !workPackage || hasErrors(validated.diagnostics) ? void 0 : await scanRequestOutputs(manifest, outputsDirOf(args.repoRoot, repo), loaded.policy, {
      ...validated.document ? { document: validated.document } : {},
      ...validated.outputs ? { outputs: validated.outputs } : {},
      onScanned: (absolutePath, sha256) => digests.set(absolutePath, sha256)
    });
    await finishPinCheck(validated, digests, progress);
    const diagnostics = [...repo.diagnostics, ...validated.diagnostics];
    if (!manifest || !workPackage || hasErrors(validated.diagnostics)) {
      const why = manifest && !workPackage && !hasErrors(validated.diagnostics) ? ` (work package '${manifest.workPackage}' is not under ${args.configDir}/work-packages/)` : "";
      return fail(
        ExitCode.failed,
        diagnostics,
        false,
        `${args.manifestPath}: invalid${why}, so it does not pass.`
      );
    }
    const { author, head, merger, reviews: list } = reviews.reviewsFile;
    const result = evaluatePolicy({
      ...findings ? { findings: disclosureFacts(findings) } : {},
      policy: loaded.policy,
      config: repo.config,
      workPackage,
      manifest,
      author,
      reviews: list,
      ...head !== void 0 ? { head } : {},
      ...merger !== void 0 ? { merger } : {}
    });
    if (args.json) {
      io.stdout(`${JSON.stringify(toJson(result, diagnostics))}
`);
    } else {
      printDiagnostics(io, diagnostics);
      io.stdout(formatResult(args.manifestPath, result, loaded.policy, head));
    }
    return result.passed ? ExitCode.ok : ExitCode.failed;
  }
};
function toJson(result, diagnostics) {
  return {
    passed: result.passed,
    valid: true,
    state: result.state,
    ...result.tier !== void 0 ? { tier: result.tier } : {},
    collections: result.collections.map((c) => ({
      name: c.name,
      state: c.state,
      ...c.tier !== void 0 ? { tier: c.tier } : {},
      classifications: c.classifications.map((k) => ({
        role: k.role,
        user: k.user,
        tier: k.tier,
        reviewId: k.reviewId,
        commit: k.commit
      })),
      // Decisions first, then why each review that did not count was left out.
      reasons: [...c.reasons, ...c.ignored.map((i) => i.detail)],
      missing: c.missing,
      ignored: c.ignored,
      excludedItems: c.excludedItems,
      recipients: c.recipients
    })),
    reasons: result.reasons,
    diagnostics: sortDiagnostics(diagnostics)
  };
}
function describeState(c) {
  const tier = c.tier === void 0 ? "" : ` at tier ${c.tier}`;
  switch (c.state) {
    case "cleared":
      return `cleared${tier}`;
    case "awaiting-review":
      return "awaiting review";
    case "needs-discussion":
      return "needs a discussion";
    case "changes-requested":
      return "changes requested";
    default:
      return `blocked${tier}`;
  }
}
var classifiedPattern = / classified tier \d+ \(review #/;
function formatResult(manifestPath, result, policy, head) {
  const lines = [];
  const verdict = result.passed ? "passes" : `does not pass (${result.state})`;
  const at = head === void 0 ? "" : ` at head ${shortSha(head)}`;
  lines.push(`${manifestPath}${at}: ${verdict}${result.tier !== void 0 ? `, tier ${result.tier}` : ""}`);
  for (const reason of result.reasons) lines.push(`  ${reason}`);
  const key = (i) => `${i.reviewId}\0${i.reason}`;
  const [first, ...rest] = result.collections;
  const everywhere = new Set(first?.ignored.map(key) ?? []);
  for (const c of rest) {
    const keys = new Set(c.ignored.map(key));
    for (const k of [...everywhere]) if (!keys.has(k)) everywhere.delete(k);
  }
  const shared = first?.ignored.filter((i) => everywhere.has(key(i))) ?? [];
  for (const c of result.collections) {
    lines.push("", `collection ${c.name}: ${describeState(c)}`);
    const width = Math.max(...policy.classifyingRoles.map((r) => roleTitle(policy, r.id).length));
    for (const role of policy.classifyingRoles) {
      const k = c.classifications.find((x) => x.role === role.id);
      const title = roleTitle(policy, role.id).padEnd(width);
      lines.push(
        k ? `  ${title}  @${k.user}, tier ${k.tier} (review #${k.reviewId} on ${shortSha(k.commit)})` : `  ${title}  -`
      );
    }
    for (const reason of c.reasons.filter((r) => !classifiedPattern.test(r))) lines.push(`  - ${reason}`);
    if (c.missing.length > 0) {
      lines.push("  still needed:");
      for (const m of c.missing) lines.push(`  - ${m}`);
    }
    if (c.excludedItems.length > 0) lines.push(`  not delivered (removed): ${c.excludedItems.join(", ")}`);
    const own = c.ignored.filter((i) => !everywhere.has(key(i)));
    if (own.length > 0) {
      lines.push("  not counted:");
      for (const i of own) lines.push(`  - ${i.detail}`);
    }
  }
  if (shared.length > 0) {
    lines.push("", "reviews not counted:");
    for (const i of shared) lines.push(`  - ${i.detail}`);
  }
  return `${lines.join("\n")}
`;
}
export {
  evaluateCommand,
  formatResult
};
