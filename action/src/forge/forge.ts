import type { Review } from '../policy/types.js';

/**
 * The one small interface the app needs from a forge (GitHub, Gitea/Forgejo). Adapters translate
 * wire shapes into these types and HTTP failures into `EgressError('FORGE', …)`.
 */
export type ForgeKind = 'github' | 'gitea';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface PullRequest {
  number: number;
  title: string;
  /** Login of who opened it. */
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergedBy?: string;
  htmlUrl?: string;
  headSha: string;
  headRef: string;
  /**
   * The base commit the forge reports. GitHub: the base commit recorded for the PR; Gitea: the
   * base branch's current tip (Gitea reports the fork point separately as `mergeBase`). Either
   * way a commit of the protected base branch, never PR code.
   */
  baseSha: string;
  baseRef: string;
  mergeBase?: string;
  labels: string[];
  /** The commit this pull request was merged as (merge, squash, or the last rebased commit). */
  mergeCommitSha?: string;
  /**
   * How many files the forge says the pull request changes (GitHub `changed_files`), so that a
   * listing cut short by the forge (GitHub lists at most 3,000) is refused, not judged.
   */
  changedFilesCount?: number;
}

export type ChangeStatus = 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed' | 'unchanged';

export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** For renames: the path before. */
  previousPath?: string;
}

export type CommitStatusState = 'success' | 'pending' | 'failure' | 'error';

export interface CommitStatus {
  state: CommitStatusState;
  context: string;
  /** Forges cut this at 140 characters; adapters truncate. */
  description: string;
  targetUrl?: string;
}

export interface IssueComment {
  id: number;
  author: string;
  body: string;
}

/** What the forge renders of a job's output (Gitea shows no annotations; summaries only from 1.27). */
export interface ForgeCapabilities {
  annotations: boolean;
  jobSummary: boolean;
}

export interface Forge {
  readonly kind: ForgeKind;
  readonly repo: RepoRef;
  readonly capabilities: ForgeCapabilities;
  /** Login the token acts as; falls back to the workflow token's bot when the forge won't say. */
  getAuthenticatedUser(): Promise<string>;
  getPullRequest(number: number): Promise<PullRequest>;
  /** Every changed file (all pages). */
  listChangedFiles(number: number): Promise<ChangedFile[]>;
  /** Every submitted review, oldest first (all pages). Pending drafts and review requests are left out. */
  listReviews(number: number): Promise<Review[]>;
  /** UTF-8 text of a file at a commit, or undefined when absent. Never reads the working tree. */
  readFileAt(ref: string, path: string): Promise<string | undefined>;
  /** Names of the files directly in a directory at a commit; empty when absent. */
  listDirAt(ref: string, dir: string): Promise<string[]>;
  /**
   * The bytes of a file at a commit, streamed (memory stays flat in the file's size), so review
   * mode can verify pins without the outputs on the runner; undefined when absent or not a regular
   * file. Both adapters implement it; an in-process test forge may leave it out, and pins are then
   * reported as not verified (never as verified).
   */
  openFileAt?(ref: string, path: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Open pull requests whose head is this commit (workflow_run events). */
  findPullRequestsForCommit(sha: string): Promise<number[]>;
  /** Current tip commit of a branch: trusted configuration is read here, never at `baseSha`. */
  getBranchTip(branch: string): Promise<string>;
  /** Open pull requests against this base branch (re-evaluated when the base branch moves). */
  listOpenPullRequests(base: string): Promise<number[]>;
  /**
   * The pull request merged as this commit (its merge, squash or last rebased commit), checked:
   * merged, and `mergeCommitSha === sha`. Undefined when the commit is no such merge.
   */
  findMergedPullRequest(sha: string): Promise<number | undefined>;
  /** Parent commits, first parent first. */
  getCommitParents(sha: string): Promise<string[]>;
  /** True when `ancestor` is `sha` itself or one of its ancestors. */
  isAncestor(ancestor: string, sha: string): Promise<boolean>;
  setCommitStatus(sha: string, status: CommitStatus): Promise<void>;
  listComments(number: number): Promise<IssueComment[]>;
  createComment(number: number, body: string): Promise<IssueComment>;
  updateComment(id: number, body: string): Promise<void>;
  addLabels(number: number, labels: string[]): Promise<void>;
  removeLabel(number: number, label: string): Promise<void>;
}

/** Status descriptions are limited to 140 characters on both forges. */
export function truncateDescription(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}
