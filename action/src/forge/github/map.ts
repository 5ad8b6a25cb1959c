import type { Review, ReviewState } from '../../policy/types.js';
import { EgressError } from '../../shared/errors.js';
import type { ChangedFile, ChangeStatus, IssueComment, PullRequest } from '../forge.js';
import type { GithubClient } from './client.js';

/**
 * Wire shapes (as @octokit/rest types them from GitHub's published OpenAPI description) → domain
 * types, validated at the boundary.
 */
type Data<K extends keyof GithubClient> = Awaited<ReturnType<GithubClient[K]>>;
type WirePull = Data<'getPull'>;
type WireReview = Data<'listPullReviews'>[number];
type WireFile = Data<'listPullFiles'>[number];
type WireComment = Data<'createIssueComment'>;
type WireContent = NonNullable<Data<'getContent'>>;
type WireFileContent = Extract<WireContent, { type: 'file'; encoding: string }>;
type WireDirectory = Extract<WireContent, unknown[]>;

function fail(what: string, field: string, value: unknown): never {
  throw new EgressError(
    'FORGE',
    `GitHub returned an unexpected ${what}: field '${field}' is ${JSON.stringify(value)}. Is the API URL a GitHub API?`,
  );
}

function text(what: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(what, field, value);
  return value;
}

export function mapPullRequest(wire: WirePull): PullRequest {
  if (typeof wire?.number !== 'number') fail('pull request', 'number', wire?.number);
  return {
    number: wire.number,
    title: wire.title ?? '',
    author: text('pull request', 'user.login', wire.user?.login),
    state: wire.state === 'closed' ? 'closed' : 'open',
    merged: wire.merged === true,
    ...(wire.merged_by?.login ? { mergedBy: wire.merged_by.login } : {}),
    htmlUrl: wire.html_url,
    headSha: text('pull request', 'head.sha', wire.head?.sha),
    headRef: wire.head?.ref ?? '',
    baseSha: text('pull request', 'base.sha', wire.base?.sha),
    baseRef: wire.base?.ref ?? '',
    labels: (wire.labels ?? []).map((l) => l.name).filter((n): n is string => typeof n === 'string'),
    // For an open pull request GitHub's merge_commit_sha is a test merge: only a merged one has a real one.
    ...(wire.merged === true && wire.merge_commit_sha
      ? { mergeCommitSha: sha('pull request', 'merge_commit_sha', wire.merge_commit_sha) }
      : {}),
    ...(typeof wire.changed_files === 'number' ? { changedFilesCount: wire.changed_files } : {}),
  };
}

const shaPattern = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** A full commit id (SHA-1 or SHA-256), refused otherwise. */
export function sha(what: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || !shaPattern.test(value)) fail(what, field, value);
  return value;
}

export function mapBranchTip(wire: Data<'getBranch'>): string {
  return sha('branch', 'commit.sha', wire?.commit?.sha);
}

export function mapPullNumbers(wire: Array<{ number?: unknown }>): number[] {
  return wire.map((p) => {
    if (typeof p?.number !== 'number') fail('pull request list', 'number', p?.number);
    return p.number;
  });
}

export function mapParents(wire: Data<'getCommit'>): string[] {
  if (!Array.isArray(wire?.parents)) fail('commit', 'parents', wire?.parents);
  return wire.parents.map((p) => sha('commit', 'parents[].sha', p?.sha));
}

/** compare/{ancestor}...{sha}: `ahead` or `identical` means every commit of `ancestor` is in `sha`. */
export function mapIsAncestor(wire: Data<'compare'>): boolean {
  const status = wire?.status;
  if (status !== 'ahead' && status !== 'identical' && status !== 'behind' && status !== 'diverged') {
    fail('comparison', 'status', status);
  }
  return status === 'ahead' || status === 'identical';
}

const reviewStates: Record<string, ReviewState> = {
  APPROVED: 'APPROVED',
  CHANGES_REQUESTED: 'CHANGES_REQUESTED',
  COMMENTED: 'COMMENTED',
  DISMISSED: 'DISMISSED',
};

/** Drops PENDING drafts (only their author sees them) and reviews by deleted accounts. */
export function mapReviews(wire: WireReview[]): Review[] {
  const out: Review[] = [];
  for (const r of wire) {
    const state = reviewStates[r.state];
    if (!state || !r.user?.login) continue;
    out.push({
      id: String(r.id),
      user: r.user.login,
      state,
      commit: r.commit_id ?? '',
      body: r.body ?? '',
      ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}),
      ...(state === 'DISMISSED' ? { dismissed: true } : {}),
    });
  }
  return out;
}

const fileStatuses = new Set<ChangeStatus>([
  'added',
  'modified',
  'removed',
  'renamed',
  'copied',
  'changed',
  'unchanged',
]);

export function mapChangedFiles(wire: WireFile[]): ChangedFile[] {
  return wire.map((f) => ({
    path: text('changed file', 'filename', f.filename),
    status: fileStatuses.has(f.status as ChangeStatus) ? (f.status as ChangeStatus) : 'changed',
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
  }));
}

export function mapComment(wire: WireComment | Data<'listIssueComments'>[number]): IssueComment {
  if (typeof wire.id !== 'number') fail('comment', 'id', wire.id);
  return { id: wire.id, author: wire.user?.login ?? '', body: wire.body ?? '' };
}

export function mapDirectory(wire: WireContent | undefined): string[] {
  if (!Array.isArray(wire)) return [];
  return (wire as WireDirectory)
    .filter((e) => e.type === 'file')
    .map((e) => e.name)
    .sort();
}

/**
 * A regular file's entry from the contents API: its bytes when inline (up to 1 MB), else its blob
 * id. Undefined for a directory, a symlink, a submodule or an absent path.
 */
export function mapFileEntry(
  wire: WireContent | undefined,
): { blobSha: string; size: number; inline?: Uint8Array } | undefined {
  if (wire === undefined || Array.isArray(wire)) return undefined;
  const file = wire as WireFileContent;
  if (file.type !== 'file') return undefined;
  const blobSha = text('content', 'sha', file.sha);
  const size = typeof file.size === 'number' ? file.size : fail('content', 'size', file.size);
  if (file.encoding === 'base64' && (file.content !== '' || size === 0)) {
    return { blobSha, size, inline: Buffer.from(file.content, 'base64') };
  }
  return { blobSha, size };
}
