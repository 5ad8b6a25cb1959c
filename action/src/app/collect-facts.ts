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
  /**
   * Requests the pull request touches whose id already exists on the protected branch (merged
   * before, so delivered or attempted), under either spelling: `requests/<id>.yaml` or `.yml`.
   */
  readonly existingOnBase: readonly DeliveredId[];
  /**
   * Set when the forge listed fewer changed files than it says the pull request changes (GitHub
   * lists at most 3,000): a trusted-configuration change could hide in the rest.
   */
  readonly incompleteFileList?: { listed: number; total: number };
}

export interface DeliveredId {
  /** The path the pull request touches. */
  path: string;
  id: string;
  /** The path the id already has on the protected branch. */
  existing: string;
}

/** `requests/<id>.yaml` or `.yml` → `<id>`. */
/**
 * The request already on `base` with the id of `path`, under either extension (`.yaml`, `.yml`):
 * a merged request is never changed or delivered again. Review and release both ask this.
 */
export async function findExistingRequest(base: RepoFiles, path: string): Promise<string | undefined> {
  const id = requestIdOf(path);
  for (const candidate of [`requests/${id}.yaml`, `requests/${id}.yml`]) {
    if ((await base.readText(candidate)) !== undefined) return candidate;
  }
  return undefined;
}

export function requestIdOf(path: string): string {
  return path.replace(/^requests\//, '').replace(/\.ya?ml$/, '');
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
    changes.requests.map(async (path): Promise<DeliveredId[]> => {
      const existing = await findExistingRequest(base, path);
      return existing === undefined ? [] : [{ path, id: requestIdOf(path), existing }];
    }),
  );
  const total = pull.changedFilesCount;
  const incomplete = total !== undefined && changedFiles.length < total;
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
    ...(incomplete ? { incompleteFileList: { listed: changedFiles.length, total } } : {}),
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
