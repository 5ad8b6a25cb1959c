import type {
  Branch,
  Commit,
  ContentsResponse,
  PullReview,
  Comment as WireComment,
  ChangedFile as WireFile,
  PullRequest as WirePull,
} from 'gitea-js';
import type { Review, ReviewState } from '../../policy/types.js';
import { EgressError } from '../../shared/errors.js';
import type { ChangedFile, ChangeStatus, IssueComment, PullRequest } from '../forge.js';

/** Gitea/Forgejo wire shapes (gitea-js, from Gitea's swagger) → domain types, validated at the boundary. */
function fail(what: string, field: string, value: unknown): never {
  throw new EgressError(
    'FORGE',
    `Gitea returned an unexpected ${what}: field '${field}' is ${JSON.stringify(value)}. Is the API URL '<server>/api/v1'?`,
  );
}

function text(what: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') fail(what, field, value);
  return value;
}

export function mapPullRequest(wire: WirePull | undefined): PullRequest {
  if (typeof wire?.number !== 'number') fail('pull request', 'number', wire?.number);
  return {
    number: wire.number,
    title: wire.title ?? '',
    author: text('pull request', 'user.login', wire.user?.login),
    state: wire.state === 'closed' ? 'closed' : 'open',
    merged: wire.merged === true,
    ...(wire.merged_by?.login ? { mergedBy: wire.merged_by.login } : {}),
    ...(wire.html_url ? { htmlUrl: wire.html_url } : {}),
    headSha: text('pull request', 'head.sha', wire.head?.sha),
    headRef: wire.head?.ref ?? '',
    // Gitea's base.sha is the base branch's current tip; the fork point is merge_base.
    baseSha: text('pull request', 'base.sha', wire.base?.sha),
    baseRef: wire.base?.ref ?? '',
    ...(wire.merge_base ? { mergeBase: wire.merge_base } : {}),
    labels: (wire.labels ?? []).map((l) => l.name).filter((n): n is string => typeof n === 'string'),
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

export function mapBranchTip(wire: Branch | undefined): string {
  return sha('branch', 'commit.id', wire?.commit?.id);
}

export function mapParents(wire: Commit | undefined): string[] {
  if (!Array.isArray(wire?.parents)) fail('commit', 'parents', wire?.parents);
  return wire.parents.map((p) => sha('commit', 'parents[].sha', p?.sha));
}

/** Gitea names states differently; REQUEST_REVIEW is a request to the user, not a review by them. */
const reviewStates: Record<string, ReviewState | undefined> = {
  APPROVED: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
};

export function mapReviews(wire: PullReview[]): Review[] {
  const out: Review[] = [];
  for (const r of wire) {
    const state = reviewStates[r.state ?? ''];
    if (!state || !r.user?.login) continue;
    out.push({
      id: String(r.id),
      user: r.user.login,
      // A dismissed Gitea review keeps `state: APPROVED`; normalise it to GitHub's DISMISSED.
      state: r.dismissed ? 'DISMISSED' : state,
      commit: r.commit_id ?? '',
      body: r.body ?? '',
      ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}),
      ...(r.dismissed ? { dismissed: true } : {}),
      ...(r.stale ? { stale: true } : {}),
    });
  }
  return out;
}

const fileStatuses: Record<string, ChangeStatus> = {
  added: 'added',
  deleted: 'removed',
  removed: 'removed',
  changed: 'modified',
  modified: 'modified',
  renamed: 'renamed',
  copied: 'copied',
};

export function mapChangedFiles(wire: WireFile[]): ChangedFile[] {
  return wire.map((f) => ({
    path: text('changed file', 'filename', f.filename),
    status: fileStatuses[f.status ?? ''] ?? 'changed',
    ...(f.previous_filename ? { previousPath: f.previous_filename } : {}),
  }));
}

export function mapComment(wire: WireComment | undefined): IssueComment {
  if (typeof wire?.id !== 'number') fail('comment', 'id', wire?.id);
  return { id: wire.id, author: wire.user?.login ?? '', body: wire.body ?? '' };
}

export function mapFileContent(
  wire: ContentsResponse | ContentsResponse[] | undefined,
  path: string,
): string | undefined {
  if (wire === undefined || Array.isArray(wire) || wire.type !== 'file') return undefined;
  if (wire.encoding !== 'base64' || typeof wire.content !== 'string') {
    throw new EgressError(
      'FORGE',
      `Gitea did not return the content of ${path} (encoding ${JSON.stringify(wire.encoding)}).`,
    );
  }
  return Buffer.from(wire.content, 'base64').toString('utf8');
}

export function mapDirectory(wire: ContentsResponse | ContentsResponse[] | undefined): string[] {
  if (!Array.isArray(wire)) return [];
  return wire
    .filter((e) => e.type === 'file' && typeof e.name === 'string')
    .map((e) => e.name as string)
    .sort();
}
