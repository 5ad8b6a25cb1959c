import type {
  Branch,
  ChangedFile,
  Comment,
  Commit,
  CommitStatus,
  Compare,
  ContentsResponse,
  Label,
  PullRequest,
  PullReview,
  User,
} from 'gitea-js';
import type { RepoRef } from '../forge.js';
import { createForgeError } from '../forge-error.js';

/**
 * The subset of Gitea's/Forgejo's REST API (`/api/v1`) egress-gate uses: one thin function per
 * endpoint. Wire types come from gitea-js, which is generated from Gitea's swagger description.
 */
export interface GiteaClientOptions {
  /** `<server>/api/v1` (Gitea Actions sets GITHUB_API_URL / GITEA_API_URL to it). */
  apiUrl: string;
  token: string;
  repo: RepoRef;
  /** Retries of 5xx, 429 and network failures. */
  retries?: number;
  /** First back-off; doubles each time. */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

/** Gitea's default MAX_RESPONSE_ITEMS. */
const pageSize = 50;

export type GiteaClient = ReturnType<typeof createGiteaClient>;

interface Answer<T> {
  status: number;
  data: T;
  headers: Headers;
}

export function createGiteaClient(options: GiteaClientOptions) {
  const base = options.apiUrl.replace(/\/+$/, '');
  const repoPath = `/repos/${encodeURIComponent(options.repo.owner)}/${encodeURIComponent(options.repo.repo)}`;
  const doFetch = options.fetch ?? fetch;
  const retries = options.retries ?? 3;
  const delay = options.retryDelayMs ?? 1000;

  async function send<T>(
    what: string,
    method: string,
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<Answer<T | undefined>> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `token ${options.token}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      } catch (error) {
        if (attempt < retries) {
          await sleep(delay * 2 ** attempt);
          continue;
        }
        throw createForgeError(
          `Gitea: ${what}`,
          0,
          error instanceof Error ? error.message : String(error),
          error,
        );
      }
      if (response.ok || accept.includes(response.status)) {
        const raw = await response.text();
        const data = response.ok && raw !== '' ? (JSON.parse(raw) as T) : undefined;
        return { status: response.status, data, headers: response.headers };
      }
      const transient = response.status === 429 || response.status >= 500;
      if (transient && attempt < retries) {
        await response.body?.cancel();
        await sleep(delay * 2 ** attempt);
        continue;
      }
      throw createForgeError(`Gitea: ${what}`, response.status, await messageOf(response));
    }
  }

  async function get<T>(what: string, path: string): Promise<T> {
    return (await send<T>(what, 'GET', path)).data as T;
  }

  /** Follows `page`/`limit` until X-Total-Count (or a short page) says the list is complete. */
  async function getAll<T>(what: string, path: string): Promise<T[]> {
    const all: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    for (let page = 1; ; page++) {
      const answer = await send<T[]>(what, 'GET', `${path}${sep}page=${page}&limit=${pageSize}`);
      const items = answer.data ?? [];
      all.push(...items);
      const total = Number(answer.headers.get('x-total-count'));
      const more =
        Number.isFinite(total) && answer.headers.has('x-total-count')
          ? all.length < total
          : items.length >= pageSize;
      if (items.length === 0 || !more) return all;
    }
  }

  const pull = (n: number) => `${repoPath}/pulls/${n}`;
  const issue = (n: number) => `${repoPath}/issues/${n}`;

  return {
    getAuthenticatedUser: () => get<User>('GET /user', '/user'),
    getPull: (n: number) => get<PullRequest>(`GET pull request #${n}`, pull(n)),
    listPullFiles: (n: number) => getAll<ChangedFile>(`GET files of pull request #${n}`, `${pull(n)}/files`),
    listPullReviews: (n: number) =>
      getAll<PullReview>(`GET reviews of pull request #${n}`, `${pull(n)}/reviews`),
    getContent: async (ref: string, path: string) =>
      (
        await send<ContentsResponse | ContentsResponse[]>(
          `GET contents ${path} at ${ref}`,
          'GET',
          `${repoPath}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`,
          undefined,
          [404],
        )
      ).data,
    /**
     * A file's bytes at a commit, streamed: `media` serves the Git LFS object when the file is an
     * LFS pointer, else the blob. Undefined when absent (404).
     */
    openMedia: async (ref: string, path: string) => {
      const what = `GET file ${path} at ${ref}`;
      const url = `${base}${repoPath}/media/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
      for (let attempt = 0; ; attempt++) {
        let response: Response;
        try {
          response = await doFetch(url, { headers: { authorization: `token ${options.token}` } });
        } catch (error) {
          if (attempt < retries) {
            await sleep(delay * 2 ** attempt);
            continue;
          }
          throw createForgeError(
            `Gitea: ${what}`,
            0,
            error instanceof Error ? error.message : String(error),
            error,
          );
        }
        if (response.status === 404) {
          await response.body?.cancel();
          return undefined;
        }
        if (response.ok) return response.body ?? undefined;
        const transient = response.status === 429 || response.status >= 500;
        if (transient && attempt < retries) {
          await response.body?.cancel();
          await sleep(delay * 2 ** attempt);
          continue;
        }
        throw createForgeError(`Gitea: ${what}`, response.status, await messageOf(response));
      }
    },
    /** Gitea (≥ 1.22.1) answers with the pull request merged as this commit (404 when none). */
    getPullMergedAs: async (sha: string) =>
      (
        await send<PullRequest>(
          `GET pull request for commit ${sha}`,
          'GET',
          `${repoPath}/commits/${encodeURIComponent(sha)}/pull`,
          undefined,
          [404],
        )
      ).data,
    /** Every open pull request; Gitea's list has no base filter in the versions egress-gate supports. */
    listOpenPulls: () =>
      getAll<PullRequest>('GET open pull requests', `${repoPath}/pulls?state=open&sort=oldest`),
    getBranch: (branch: string) =>
      get<Branch>(
        `GET branch ${JSON.stringify(branch)}`,
        `${repoPath}/branches/${encodeURIComponent(branch)}`,
      ),
    getGitCommit: (sha: string) =>
      get<Commit>(
        `GET commit ${sha}`,
        `${repoPath}/git/commits/${encodeURIComponent(sha)}?stat=false&verification=false&files=false`,
      ),
    /** Commits `head` has and `base` has not; undefined when this Gitea answers 404 for commit ids. */
    compare: async (base: string, head: string) =>
      (
        await send<Compare>(
          `GET compare ${base}...${head}`,
          'GET',
          `${repoPath}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`,
          undefined,
          [404],
        )
      ).data,
    createStatus: async (
      sha: string,
      body: { state: string; context: string; description: string; target_url?: string },
    ) =>
      (
        await send<CommitStatus>(
          `POST status on ${sha}`,
          'POST',
          `${repoPath}/statuses/${encodeURIComponent(sha)}`,
          body,
        )
      ).data,
    /** Not paginated on Gitea: one call returns every comment. */
    listIssueComments: (n: number) => get<Comment[]>(`GET comments of #${n}`, `${issue(n)}/comments`),
    createIssueComment: async (n: number, body: string) =>
      (await send<Comment>(`POST comment on #${n}`, 'POST', `${issue(n)}/comments`, { body }))
        .data as Comment,
    updateIssueComment: async (id: number, body: string) =>
      (await send<Comment>(`PATCH comment ${id}`, 'PATCH', `${repoPath}/issues/comments/${id}`, { body }))
        .data,
    listRepoLabels: () => getAll<Label>('GET labels of the repository', `${repoPath}/labels`),
    createRepoLabel: async (name: string, color: string, description: string) =>
      (
        await send<Label>(`POST label ${JSON.stringify(name)}`, 'POST', `${repoPath}/labels`, {
          name,
          color,
          description,
        })
      ).data as Label,
    /** Gitea takes label ids (names only in recent versions), so ids are sent. */
    addIssueLabels: async (n: number, ids: number[]) =>
      (await send<Label[]>(`POST labels on #${n}`, 'POST', `${issue(n)}/labels`, { labels: ids })).data,
    /** By numeric id; 404 means already removed. */
    removeIssueLabel: async (n: number, id: number) => {
      await send<unknown>(
        `DELETE label ${id} on #${n}`,
        'DELETE',
        `${issue(n)}/labels/${id}`,
        undefined,
        [404],
      );
    },
  };
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

async function messageOf(response: Response): Promise<string> {
  const raw = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(raw) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return parsed.message;
  } catch {
    // Not JSON (a proxy's HTML page): fall through to the status text.
  }
  return response.statusText || raw.slice(0, 200) || 'no message';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
