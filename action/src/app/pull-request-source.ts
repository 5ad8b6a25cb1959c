import type { Forge, PullRequest } from '../forge/forge.js';
import { getBuiltinPolicyText } from '../policy/builtin-policies.js';
import type { ReviewsFile } from '../policy/reviews-file.js';
import type { Policy } from '../policy/types.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { RepoFiles } from '../shared/repo-files.js';
import { classifyChanges, requestFilePattern } from './classify-changes.js';
import { findExistingRequest } from './collect-facts.js';
import { createForgeRepoFiles, createSplitRepoFiles } from './forge-repo-files.js';
import { loadPolicy } from './load-policy.js';
import { type LoadedRepository, loadRepository } from './load-repository.js';
import type { ReleaseEvidence } from './release.js';

/**
 * A pull request as the forge has it, read the way the action's release reads it: nothing from an
 * event payload is taken on trust. Used by the action (release on merge) and by the CLI's `--pr`.
 */
export interface PullRequestSource {
  pull: PullRequest;
  /** The commit trusted configuration was read at. */
  configCommit: string;
  /** The request manifest from the pull request's final head; everything else from `configCommit`. */
  files: RepoFiles;
  trusted: RepoFiles;
  repository: LoadedRepository;
  policy?: Policy;
  policyDiagnostics: Diagnostic[];
  /** Undefined when the pull request carries no request. */
  manifestPath?: string;
  /** author, head, merger and reviews, as the forge reports them. */
  reviews: ReviewsFile;
  evidence: ReleaseEvidence;
  /** Why the pull request cannot be released (or evaluated), in plain words. */
  refusals: string[];
}

export interface PullRequestSourceOptions {
  configDir: string;
  /** The protected branch; a pull request against another branch is refused. */
  protectedBranch?: string;
  /**
   * Merged pull requests: the commit that was pushed (checked to be the merge commit) and the
   * push's `before` (the branch tip before it; needed to tell a rebase merge's base).
   */
  pushed?: { sha: string; before?: string };
  /** `merged`: must be merged (release); `any`: an open one reads the protected branch's tip. */
  require: 'merged' | 'any';
}

export async function readPullRequestSource(
  forge: Forge,
  number: number,
  options: PullRequestSourceOptions,
): Promise<PullRequestSource> {
  const pull = await forge.getPullRequest(number);
  const refusals: string[] = [];
  if (options.protectedBranch !== undefined && pull.baseRef !== options.protectedBranch) {
    refusals.push(
      `Pull request #${number} targets '${pull.baseRef}', not the protected branch '${options.protectedBranch}': only requests merged into the protected branch are delivered.`,
    );
  }
  let configCommit: string;
  const mergeCommit = pull.merged ? pull.mergeCommitSha : undefined;
  if (pull.merged) {
    const resolved = await resolveConfigCommit(forge, pull, options.pushed);
    if ('refusal' in resolved) {
      refusals.push(resolved.refusal);
      configCommit = '';
    } else {
      configCommit = resolved.sha;
    }
  } else if (options.require === 'merged') {
    refusals.push(
      `Pull request #${number} is not merged${pull.state === 'closed' ? ' (it was closed without merging)' : ''}: only a merged request is delivered.`,
    );
    configCommit = '';
  } else {
    configCommit = await forge.getBranchTip(pull.baseRef);
  }

  const [changed, reviews] = await Promise.all([forge.listChangedFiles(number), forge.listReviews(number)]);
  // Without a trustworthy configuration commit, the base the forge reports stands in for display only.
  const trusted = createForgeRepoFiles(
    forge,
    configCommit || pull.baseSha,
    `${pull.merged ? 'the protected branch just before the merge' : `the tip of ${pull.baseRef}`}, commit ${(configCommit || pull.baseSha).slice(0, 7)}`,
  );
  const head = createForgeRepoFiles(forge, pull.headSha, `head commit ${pull.headSha.slice(0, 7)}`);
  const repository = await loadRepository(trusted, { configDir: options.configDir });
  const policyName = repository.config.policy;
  const policyPath = policyName && getBuiltinPolicyText(policyName) === undefined ? policyName : undefined;
  const changes = classifyChanges(changed, repository.configDir, policyPath);
  if (pull.changedFilesCount !== undefined && changed.length < pull.changedFilesCount) {
    refusals.push(
      `The forge listed only ${changed.length} of the ${pull.changedFilesCount} files pull request #${number} changes (GitHub lists at most 3,000), so egress-gate cannot tell whether it changes trusted configuration or more than one request; nothing is delivered. Split it: a request needs only its manifest (and, if they live in the repository, its outputs).`,
    );
  }
  const present = changes.requests.filter((p) => changed.some((f) => f.path === p && f.status !== 'removed'));

  if (changes.requests.length > 0 && changes.trusted.length > 0) {
    refusals.push(
      `Pull request #${number} changes trusted configuration (${changes.trusted.join(', ')}) together with a request; configuration must be changed in its own pull request.`,
    );
  }
  if (changes.requests.length > 1) {
    refusals.push(
      `Pull request #${number} touches more than one request (${changes.requests.join(', ')}); each request is delivered from its own pull request.`,
    );
  }
  const manifestPath = present.length === 1 ? present[0] : undefined;
  if (manifestPath && configCommit) {
    const existing = await findExistingRequest(trusted, manifestPath);
    if (existing !== undefined) {
      refusals.push(
        `${existing} already existed on the protected branch before this merge: that request was merged before. A delivered request is never changed or delivered again; open a new request with a new id.`,
      );
    }
    if (mergeCommit) {
      const atHead = await head.readText(manifestPath);
      const atMerge = await forge.readFileAt(mergeCommit, manifestPath);
      if (atHead !== atMerge) {
        refusals.push(
          `${manifestPath} at the merge commit ${mergeCommit.slice(0, 7)} differs from the one the reviewers approved at ${pull.headSha.slice(0, 7)}; nothing is delivered from a manifest nobody classified.`,
        );
      }
    }
  }
  if (pull.merged && pull.mergedBy === undefined) {
    refusals.push(
      `The forge does not say who merged pull request #${number}, so the merger's role cannot be checked.`,
    );
  }
  const loaded = await loadPolicy(repository.config.policy, trusted);
  return {
    pull,
    configCommit,
    files: createSplitRepoFiles(trusted, head, (p) => requestFilePattern.test(p)),
    trusted,
    repository,
    ...(loaded.policy ? { policy: loaded.policy } : {}),
    policyDiagnostics: loaded.diagnostics,
    ...(manifestPath ? { manifestPath } : {}),
    reviews: {
      author: pull.author,
      head: pull.headSha,
      ...(pull.mergedBy !== undefined ? { merger: pull.mergedBy } : {}),
      reviews: [...reviews],
    },
    evidence: { source: 'forge', pullRequest: number, ...(pull.htmlUrl ? { url: pull.htmlUrl } : {}) },
    refusals,
  };
}

/**
 * The protected branch just before the merge: a merge commit's first parent; a squash commit's
 * parent; for a rebase merge (several rebased commits, the last one pushed), the push's `before`,
 * checked to be an ancestor of the pushed commit. Without `before`, a single-parent commit could
 * be either a squash or the last of several rebased commits (whose parent is pull request code),
 * so it is refused rather than guessed.
 */
export async function resolveConfigCommit(
  forge: Forge,
  pull: PullRequest,
  pushed?: { sha: string; before?: string },
): Promise<{ sha: string } | { refusal: string }> {
  const merge = pull.mergeCommitSha;
  if (!merge)
    return { refusal: `The forge does not say which commit pull request #${pull.number} was merged as.` };
  if (pushed && pushed.sha !== merge) {
    return {
      refusal: `Commit ${pushed.sha.slice(0, 7)} is not the commit pull request #${pull.number} was merged as (${merge.slice(0, 7)}).`,
    };
  }
  const parents = await forge.getCommitParents(merge);
  const before = pushed?.before && !/^0+$/.test(pushed.before) ? pushed.before : undefined;
  if (parents.length >= 2) {
    if (before !== undefined && before !== parents[0]) {
      return {
        refusal: `The push moved the protected branch from ${before.slice(0, 7)}, but the merge commit's first parent is ${parents[0]!.slice(0, 7)}: the push carried more than this merge, so the configuration before it is unknown.`,
      };
    }
    return { sha: parents[0]! };
  }
  if (parents.length === 1) {
    if (before === undefined) {
      return {
        refusal: `Pull request #${pull.number} was squashed or rebased (its merge commit has one parent), and without the push's 'before' commit the protected branch just before the merge cannot be told apart from pull request commits. Run the release on the push to '${pull.baseRef}' (see examples/workflows/), or pass the branch's tip before the merge (--before).`,
      };
    }
    if (before === parents[0]) return { sha: before };
    if (await forge.isAncestor(before, merge)) return { sha: before };
    return {
      refusal: `The push's 'before' commit ${before.slice(0, 7)} is not an ancestor of ${merge.slice(0, 7)} (a force push?): the configuration before the merge is unknown.`,
    };
  }
  return {
    refusal: `Commit ${merge.slice(0, 7)} has no parent: it cannot be a merge into the protected branch.`,
  };
}
