#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  getBuiltinPolicyText,
  loadPolicy,
  loadRepository,
  toRepoPath
} from "./chunk-MFV4Z2EZ.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/app/classify-changes.ts
var requestPathPattern = /^requests\/[^/]+\.ya?ml$/;
var requestFilePattern = /^requests\/(?:[^/]+\.ya?ml|[^/]+\/.+\.sha256)$/;
function isTrustedPath(path, configDir, policyPath) {
  const dir = configDir.replace(/\/+$/, "");
  return path === dir || path.startsWith(`${dir}/`) || /^\.(github|gitea|forgejo)\/workflows\//.test(path) || /^(\.github\/|\.gitea\/|docs\/)?CODEOWNERS$/.test(path) || policyPath !== void 0 && path === policyPath;
}
function classifyChanges(files, configDir, policyPath) {
  const requests = /* @__PURE__ */ new Set();
  const trusted = /* @__PURE__ */ new Set();
  for (const f of files) {
    for (const path of f.previousPath ? [f.path, f.previousPath] : [f.path]) {
      if (requestPathPattern.test(path)) requests.add(path);
      if (isTrustedPath(path, configDir, policyPath)) trusted.add(path);
    }
  }
  return { requests: [...requests].sort(), trusted: [...trusted].sort() };
}

// action/src/app/forge-repo-files.ts
function createForgeRepoFiles(forge, ref, label) {
  const texts = /* @__PURE__ */ new Map();
  const dirs = /* @__PURE__ */ new Map();
  return {
    label,
    readText(path) {
      let text = texts.get(path);
      if (!text) {
        text = forge.readFileAt(ref, path);
        texts.set(path, text);
      }
      return text;
    },
    listFiles(dir) {
      let list = dirs.get(dir);
      if (!list) {
        list = forge.listDirAt(ref, dir);
        dirs.set(dir, list);
      }
      return list;
    }
  };
}
function createSplitRepoFiles(base, head, isRequestPath) {
  return {
    label: `${head.label} (request) with trusted configuration from ${base.label}`,
    readText: (path) => isRequestPath(path) ? head.readText(path) : base.readText(path),
    listFiles: (dir) => base.listFiles(dir)
  };
}

// action/src/app/collect-facts.ts
async function findExistingRequest(base, path) {
  const id = requestIdOf(path);
  for (const candidate of [`requests/${id}.yaml`, `requests/${id}.yml`]) {
    if (await base.readText(candidate) !== void 0) return candidate;
  }
  return void 0;
}
function requestIdOf(path) {
  return path.replace(/^requests\//, "").replace(/\.ya?ml$/, "");
}

// action/src/app/pull-request-source.ts
async function readPullRequestSource(forge, number, options) {
  const pull = await forge.getPullRequest(number);
  const refusals = [];
  if (options.protectedBranch !== void 0 && pull.baseRef !== options.protectedBranch) {
    refusals.push(
      `Pull request #${number} targets '${pull.baseRef}', not the protected branch '${options.protectedBranch}': only requests merged into the protected branch are delivered.`
    );
  }
  let configCommit;
  const mergeCommit = pull.merged ? pull.mergeCommitSha : void 0;
  if (pull.merged) {
    const resolved = await resolveConfigCommit(forge, pull, options.pushed);
    if ("refusal" in resolved) {
      refusals.push(resolved.refusal);
      configCommit = "";
    } else {
      configCommit = resolved.sha;
    }
  } else if (options.require === "merged") {
    refusals.push(
      `Pull request #${number} is not merged${pull.state === "closed" ? " (it was closed without merging)" : ""}: only a merged request is delivered.`
    );
    configCommit = "";
  } else {
    configCommit = await forge.getBranchTip(pull.baseRef);
  }
  const [changed, reviews] = await Promise.all([forge.listChangedFiles(number), forge.listReviews(number)]);
  const trusted = createForgeRepoFiles(
    forge,
    configCommit || pull.baseSha,
    `${pull.merged ? "the protected branch just before the merge" : `the tip of ${pull.baseRef}`}, commit ${(configCommit || pull.baseSha).slice(0, 7)}`
  );
  const head = createForgeRepoFiles(forge, pull.headSha, `head commit ${pull.headSha.slice(0, 7)}`);
  const repository = await loadRepository(trusted, { configDir: options.configDir });
  const policyName = repository.config.policy;
  const policyPath = policyName && getBuiltinPolicyText(policyName) === void 0 ? policyName : void 0;
  const changes = classifyChanges(changed, repository.configDir, policyPath);
  if (pull.changedFilesCount !== void 0 && changed.length < pull.changedFilesCount) {
    refusals.push(
      `The forge listed only ${changed.length} of the ${pull.changedFilesCount} files pull request #${number} changes (GitHub lists at most 3,000), so egress-gate cannot tell whether it changes trusted configuration or more than one request; nothing is delivered. Split it: a request needs only its manifest (and, if they live in the repository, its outputs).`
    );
  }
  const present = changes.requests.filter((p) => changed.some((f) => f.path === p && f.status !== "removed"));
  if (changes.requests.length > 0 && changes.trusted.length > 0) {
    refusals.push(
      `Pull request #${number} changes trusted configuration (${changes.trusted.join(", ")}) together with a request; configuration must be changed in its own pull request.`
    );
  }
  if (changes.requests.length > 1) {
    refusals.push(
      `Pull request #${number} touches more than one request (${changes.requests.join(", ")}); each request is delivered from its own pull request.`
    );
  }
  const manifestPath = present.length === 1 ? present[0] : void 0;
  if (manifestPath && configCommit) {
    const existing = await findExistingRequest(trusted, manifestPath);
    if (existing !== void 0) {
      refusals.push(
        `${existing} already existed on the protected branch before this merge: that request was merged before. A delivered request is never changed or delivered again; open a new request with a new id.`
      );
    }
    if (mergeCommit) {
      const atHead = await head.readText(manifestPath);
      const atMerge = await forge.readFileAt(mergeCommit, manifestPath);
      if (atHead !== atMerge) {
        refusals.push(
          `${manifestPath} at the merge commit ${mergeCommit.slice(0, 7)} differs from the one the reviewers approved at ${pull.headSha.slice(0, 7)}; nothing is delivered from a manifest nobody classified.`
        );
      }
    }
  }
  if (pull.merged && pull.mergedBy === void 0) {
    refusals.push(
      `The forge does not say who merged pull request #${number}, so the merger's role cannot be checked.`
    );
  }
  const loaded = await loadPolicy(repository.config.policy, trusted);
  return {
    pull,
    configCommit,
    files: createSplitRepoFiles(trusted, head, (p) => requestFilePattern.test(p)),
    trusted,
    repository,
    ...loaded.policy ? { policy: loaded.policy } : {},
    policyDiagnostics: loaded.diagnostics,
    ...manifestPath ? { manifestPath } : {},
    reviews: {
      author: pull.author,
      head: pull.headSha,
      ...pull.mergedBy !== void 0 ? { merger: pull.mergedBy } : {},
      reviews: [...reviews]
    },
    evidence: { source: "forge", pullRequest: number, ...pull.htmlUrl ? { url: pull.htmlUrl } : {} },
    refusals
  };
}
async function resolveConfigCommit(forge, pull, pushed) {
  const merge = pull.mergeCommitSha;
  if (!merge)
    return { refusal: `The forge does not say which commit pull request #${pull.number} was merged as.` };
  if (pushed && pushed.sha !== merge) {
    return {
      refusal: `Commit ${pushed.sha.slice(0, 7)} is not the commit pull request #${pull.number} was merged as (${merge.slice(0, 7)}).`
    };
  }
  const parents = await forge.getCommitParents(merge);
  const before = pushed?.before && !/^0+$/.test(pushed.before) ? pushed.before : void 0;
  if (parents.length >= 2) {
    if (before !== void 0 && before !== parents[0]) {
      return {
        refusal: `The push moved the protected branch from ${before.slice(0, 7)}, but the merge commit's first parent is ${parents[0].slice(0, 7)}: the push carried more than this merge, so the configuration before it is unknown.`
      };
    }
    return { sha: parents[0] };
  }
  if (parents.length === 1) {
    if (before === void 0) {
      return {
        refusal: `Pull request #${pull.number} was squashed or rebased (its merge commit has one parent), and without the push's 'before' commit the protected branch just before the merge cannot be told apart from pull request commits. Run the release on the push to '${pull.baseRef}' (see examples/workflows/), or pass the branch's tip before the merge (--before).`
      };
    }
    if (before === parents[0]) return { sha: before };
    if (await forge.isAncestor(before, merge)) return { sha: before };
    return {
      refusal: `The push's 'before' commit ${before.slice(0, 7)} is not an ancestor of ${merge.slice(0, 7)} (a force push?): the configuration before the merge is unknown.`
    };
  }
  return {
    refusal: `Commit ${merge.slice(0, 7)} has no parent: it cannot be a merge into the protected branch.`
  };
}

// action/src/cli/pull-request-args.ts
var pullRequestOptions = {
  pr: { type: "string" },
  forge: { type: "string" },
  "api-url": { type: "string" },
  "forge-repo": { type: "string" },
  before: { type: "string" },
  "base-branch": { type: "string" }
};
var pullRequestHelp = `  --pr <number>          take the pull request, its reviews, who merged and the trusted
                         configuration from the forge (as the action does), not from a
                         reviews file; the receipt records the forge's review ids
  --forge <kind>         github | gitea | forgejo (default: EGRESS_GATE_FORGE, else github)
  --api-url <url>        the forge API (GitHub: https://api.github.com or <ghes>/api/v3;
                         Gitea/Forgejo: <server>/api/v1); default: EGRESS_GATE_API_URL
  --forge-repo <o/r>     owner/repository (default: EGRESS_GATE_REPOSITORY)
  --base-branch <name>   the protected branch (default: EGRESS_GATE_BASE_BRANCH); required:
                         a pull request into any other branch is refused, since its
                         configuration and approvals are not the protected branch's
  --before <sha>         for a squash or rebase merge: the protected branch's tip before the
                         merge (a merge commit needs none)
  The token is read from EGRESS_GATE_TOKEN (or GITHUB_TOKEN / GITEA_TOKEN); it is never printed.`;
function readPullRequestArgs(command, values, io) {
  if (values.pr === void 0) {
    for (const flag of ["forge", "api-url", "forge-repo", "before", "base-branch"]) {
      if (values[flag] !== void 0)
        throw new EgressError(
          "USAGE",
          `--${flag} goes with --pr <number> (see egress-gate ${command} --help)`
        );
    }
    return void 0;
  }
  if (!/^[1-9]\d*$/.test(values.pr)) {
    throw new EgressError("USAGE", `--pr takes a pull request number, got '${values.pr}'`);
  }
  const forge = values.forge ?? io.env["EGRESS_GATE_FORGE"] ?? "github";
  if (!["github", "gitea", "forgejo"].includes(forge)) {
    throw new EgressError("USAGE", `--forge is '${forge}'; use github, gitea or forgejo`);
  }
  const apiUrl = values["api-url"] ?? io.env["EGRESS_GATE_API_URL"] ?? "";
  if (!/^https?:\/\//.test(apiUrl)) {
    throw new EgressError(
      "USAGE",
      `--pr needs the forge API URL: pass --api-url <url> or set EGRESS_GATE_API_URL`
    );
  }
  const full = values["forge-repo"] ?? io.env["EGRESS_GATE_REPOSITORY"] ?? "";
  const [owner, repo, ...rest] = full.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new EgressError(
      "USAGE",
      `--pr needs the repository as owner/name: pass --forge-repo or set EGRESS_GATE_REPOSITORY`
    );
  }
  const baseBranch = values["base-branch"] ?? io.env["EGRESS_GATE_BASE_BRANCH"] ?? "";
  if (!/^[^\s~^:?*[\\]+$/.test(baseBranch)) {
    throw new EgressError(
      "USAGE",
      baseBranch === "" ? `--pr needs the protected branch: pass --base-branch <name> (e.g. main) or set EGRESS_GATE_BASE_BRANCH; a pull request into another branch is refused` : `--base-branch takes a branch name, got '${baseBranch}'`
    );
  }
  if (values.before !== void 0 && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(values.before)) {
    throw new EgressError("USAGE", `--before takes a full commit sha, got '${values.before}'`);
  }
  return {
    number: Number(values.pr),
    forge,
    apiUrl,
    repo: { owner, repo },
    baseBranch,
    ...values.before ? { before: values.before } : {}
  };
}
async function createCliForge(args, io) {
  const token = io.env["EGRESS_GATE_TOKEN"] || io.env["GITHUB_TOKEN"] || io.env["GITEA_TOKEN"] || "";
  if (token === "") {
    throw new EgressError(
      "USAGE",
      "--pr needs a forge token in EGRESS_GATE_TOKEN (read: contents, pull requests)"
    );
  }
  const { chooseForge } = await import("./choose-forge-XQPPELPQ.js");
  return chooseForge({
    choice: args.forge,
    apiUrl: args.apiUrl,
    token,
    repo: args.repo,
    env: {},
    log: (m) => io.stderr(`${m}
`)
  });
}
async function readCliPullRequest(forge, args, options) {
  const pull = await forge.getPullRequest(args.number);
  return readPullRequestSource(forge, args.number, {
    configDir: options.configDir,
    require: options.require,
    protectedBranch: args.baseBranch,
    ...pull.merged && pull.mergeCommitSha ? { pushed: { sha: pull.mergeCommitSha, ...args.before ? { before: args.before } : {} } } : {}
  });
}
async function readPullRequestForCommand(command, args, io, options) {
  const forge = await createCliForge(args, io);
  io.stderr(`reading pull request #${args.number} from ${args.apiUrl}\u2026
`);
  const source = await readCliPullRequest(forge, args, { configDir: options.configDir, require: "any" });
  if (source.refusals.length > 0) {
    throw new EgressError("USAGE", `pull request #${args.number} is refused: ${source.refusals.join(" ")}`);
  }
  if (!source.manifestPath) {
    throw new EgressError("USAGE", `pull request #${args.number} carries no request (requests/<id>.yaml)`);
  }
  if (options.manifestArg !== void 0 && toRepoPath(options.repoRoot, io.cwd, options.manifestArg) !== source.manifestPath) {
    throw new EgressError(
      "USAGE",
      `pull request #${args.number} carries ${source.manifestPath}, not ${options.manifestArg} (see egress-gate ${command} --help)`
    );
  }
  return { ...source, manifestPath: source.manifestPath };
}

export {
  pullRequestOptions,
  pullRequestHelp,
  readPullRequestArgs,
  createCliForge,
  readCliPullRequest,
  readPullRequestForCommand
};
