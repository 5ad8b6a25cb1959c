import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { RepoRef } from '../forge.js';
import { createForgeError } from '../forge-error.js';

/** The subset of GitHub's REST API egress-gate uses: one thin function per endpoint. */
export interface GithubClientOptions {
  /** `GITHUB_API_URL`, e.g. https://api.github.com or https://ghe.example/api/v3. */
  apiUrl: string;
  token: string;
  repo: RepoRef;
  /** Retries on 5xx and network errors (plugin-retry); 0 in tests that exercise failures. */
  retries?: number;
  /** GitHub asks integrations to space out writes; off only where a test counts calls, not time. */
  throttle?: boolean;
  log?: (message: string) => void;
}

const ThrottledOctokit = Octokit.plugin(retry, throttling);

/** A Bottleneck group stand-in that runs each job at once (what the plugin calls: key().schedule()). */
const immediateGroup = {
  key: () => ({
    schedule: <A extends unknown[], R>(
      _options: unknown,
      job: (...args: A) => R,
      ...args: A
    ): Promise<Awaited<R>> => Promise.resolve(job(...args)) as Promise<Awaited<R>>,
  }),
};

export type GithubClient = ReturnType<typeof createGithubClient>;

export function createGithubClient(options: GithubClientOptions) {
  const log = options.log ?? (() => {});
  const octokit = new ThrottledOctokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'egress-gate',
    // Set through `retry`, not `request.retries`: the latter makes plugin-retry repeat even 404s.
    retry: { retries: options.retries ?? 3 },
    // Failed requests become EgressErrors that the action reports once; octokit's own error lines would repeat them.
    log: { debug: () => {}, info: () => {}, warn: log, error: () => {} },
    throttle: {
      enabled: options.throttle ?? true,
      // plugin-throttling spaces writes 1 s apart and comments 3 s apart, for integrations making
      // "a large number" of them. A run makes at most a handful, one after another; spacing them
      // would add seconds to every run. Rate-limit answers are still waited out (below).
      // The plugin only calls key().schedule() on these; its type asks for a whole Bottleneck group.
      write: immediateGroup as never,
      notifications: immediateGroup as never,
      // Wait out a primary limit twice, a secondary (abuse) limit once; then fail with the reason.
      onRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
        log(`GitHub rate limit reached; retrying in ${after} s`);
        return count < 2;
      },
      onSecondaryRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
        log(`GitHub secondary rate limit reached; retrying in ${after} s`);
        return count < 1;
      },
    },
  });
  const r = { owner: options.repo.owner, repo: options.repo.repo };

  async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw translate(what, error);
    }
  }

  return {
    getAuthenticatedUser: () =>
      call('GET /user', async () => (await octokit.rest.users.getAuthenticated()).data),
    getPull: (number: number) =>
      call(
        `GET pull request #${number}`,
        async () => (await octokit.rest.pulls.get({ ...r, pull_number: number })).data,
      ),
    listPullFiles: (number: number) =>
      call(`GET files of pull request #${number}`, () =>
        octokit.paginate(octokit.rest.pulls.listFiles, { ...r, pull_number: number, per_page: 100 }),
      ),
    listPullReviews: (number: number) =>
      call(`GET reviews of pull request #${number}`, () =>
        octokit.paginate(octokit.rest.pulls.listReviews, { ...r, pull_number: number, per_page: 100 }),
      ),
    getContent: (ref: string, path: string) =>
      call(`GET contents ${path} at ${ref}`, async () => {
        try {
          return (await octokit.rest.repos.getContent({ ...r, path, ref })).data;
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      }),
    /** A blob's raw bytes as a stream (the git data API serves blobs up to 100 MB). */
    getBlobStream: (blobSha: string) =>
      call(`GET blob ${blobSha}`, async () => {
        const answer = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
          ...r,
          file_sha: blobSha,
          headers: { accept: 'application/vnd.github.raw+json' },
          request: { parseSuccessResponseBody: false },
        });
        return answer.data as unknown as ReadableStream<Uint8Array> | null;
      }),
    listPullsForCommit: (sha: string) =>
      call(`GET pull requests for commit ${sha}`, async () =>
        octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
          ...r,
          commit_sha: sha,
          per_page: 100,
        }),
      ),
    getBranch: (branch: string) =>
      call(
        `GET branch ${JSON.stringify(branch)}`,
        async () => (await octokit.rest.repos.getBranch({ ...r, branch })).data,
      ),
    listOpenPulls: (base: string) =>
      call(`GET open pull requests against ${JSON.stringify(base)}`, () =>
        octokit.paginate(octokit.rest.pulls.list, { ...r, state: 'open', base, per_page: 100 }),
      ),
    getCommit: (sha: string) =>
      call(
        `GET commit ${sha}`,
        // One file is enough: only the parents are read, and a big commit's file list is costly.
        async () => (await octokit.rest.repos.getCommit({ ...r, ref: sha, per_page: 1 })).data,
      ),
    compare: (base: string, head: string) =>
      call(
        `GET compare ${base}...${head}`,
        async () =>
          (
            await octokit.rest.repos.compareCommitsWithBasehead({
              ...r,
              basehead: `${base}...${head}`,
              per_page: 1,
            })
          ).data,
      ),
    createStatus: (
      sha: string,
      body: {
        state: 'success' | 'pending' | 'failure' | 'error';
        context: string;
        description: string;
        target_url?: string;
      },
    ) =>
      call(
        `POST status on ${sha}`,
        async () => (await octokit.rest.repos.createCommitStatus({ ...r, sha, ...body })).data,
      ),
    listIssueComments: (number: number) =>
      call(`GET comments of #${number}`, () =>
        octokit.paginate(octokit.rest.issues.listComments, { ...r, issue_number: number, per_page: 100 }),
      ),
    createIssueComment: (number: number, body: string) =>
      call(
        `POST comment on #${number}`,
        async () => (await octokit.rest.issues.createComment({ ...r, issue_number: number, body })).data,
      ),
    updateIssueComment: (id: number, body: string) =>
      call(
        `PATCH comment ${id}`,
        async () => (await octokit.rest.issues.updateComment({ ...r, comment_id: id, body })).data,
      ),
    addIssueLabels: (number: number, labels: string[]) =>
      call(
        `POST labels on #${number}`,
        async () => (await octokit.rest.issues.addLabels({ ...r, issue_number: number, labels })).data,
      ),
    removeIssueLabel: (number: number, name: string) =>
      call(`DELETE label ${JSON.stringify(name)} on #${number}`, async () => {
        try {
          await octokit.rest.issues.removeLabel({ ...r, issue_number: number, name });
        } catch (error) {
          // Already gone (another run removed it): the goal is reached.
          if (statusOf(error) !== 404) throw error;
        }
      }),
  };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return error.status;
  }
  return undefined;
}

function translate(what: string, error: unknown) {
  const status = statusOf(error) ?? 0;
  const data = (error as { response?: { data?: unknown } }).response?.data;
  const message =
    typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string'
      ? data.message
      : error instanceof Error
        ? error.message
        : String(error);
  return createForgeError(`GitHub: ${what}`, status, message, error);
}
