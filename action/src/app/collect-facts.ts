import type { ChangedFile, Forge, PullRequest } from '../forge/forge.js';
import { getBuiltinPolicyText } from '../policy/builtin-policies.js';
import type { Review } from '../policy/types.js';
import type { RepoFiles } from '../shared/repo-files.js';
import { type ChangeClassification, classifyChanges } from './classify-changes.js';
import { createForgeRepoFiles } from './forge-repo-files.js';
import { type LoadedRepository, loadRepository } from './load-repository.js';

/** Everything a review-mode evaluation looks at, read once per run and frozen. */
export interface ReviewFacts {
  readonly pull: Readonly<PullRequest>;
  readonly changedFiles: readonly ChangedFile[];
  /** Oldest first, every page. */
  readonly reviews: readonly Review[];
  /**
   * The repository at the protected branch's current tip (never the base commit GitHub recorded
   * when the pull request was opened): the only source of trusted configuration.
   */
  readonly base: RepoFiles;
  /** The commit `base` is read at. */
  readonly trustedSha: string;
  /** The repository at the head commit: only the request manifest is read from it. */
  readonly head: RepoFiles;
  readonly repository: LoadedRepository;
  readonly changes: ChangeClassification;
  /** Request paths the pull request touches that already exist on the base branch (merged before). */
  readonly existingOnBase: readonly string[];
}

export async function collectFacts(
  forge: Forge,
  number: number,
  options: { configDir: string; trustedTip?: string },
): Promise<ReviewFacts> {
  const [pull, changedFiles, reviews] = await Promise.all([
    forge.getPullRequest(number),
    forge.listChangedFiles(number),
    forge.listReviews(number),
  ]);
  const trustedSha = options.trustedTip ?? (await forge.getBranchTip(pull.baseRef));
  const base = createForgeRepoFiles(forge, trustedSha, `${pull.baseRef} at ${trustedSha.slice(0, 7)}`);
  const head = createForgeRepoFiles(forge, pull.headSha, `head commit ${pull.headSha.slice(0, 7)}`);
  const repository = await loadRepository(base, { configDir: options.configDir });
  const policy = repository.config.policy;
  const policyPath = policy && getBuiltinPolicyText(policy) === undefined ? policy : undefined;
  const changes = classifyChanges(changedFiles, repository.configDir, policyPath);
  const existing = await Promise.all(
    changes.requests.map(async (p) => ((await base.readText(p)) === undefined ? [] : [p])),
  );
  // The forge's answers are frozen deeply; the loaded configuration holds compiled schemas, so only its top.
  return Object.freeze({
    pull: deepFreeze(pull),
    changedFiles: deepFreeze(changedFiles),
    reviews: deepFreeze(reviews),
    base,
    trustedSha,
    head,
    repository: Object.freeze(repository),
    changes: deepFreeze(changes),
    existingOnBase: deepFreeze(existing.flat()),
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
