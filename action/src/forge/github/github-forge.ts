import { EgressError } from '../../shared/errors.js';
import type { Forge, RepoRef } from '../forge.js';
import { truncateDescription } from '../forge.js';
import { createGithubClient, type GithubClientOptions } from './client.js';
import {
  mapBranchTip,
  mapChangedFiles,
  mapComment,
  mapDirectory,
  mapFileEntry,
  mapIsAncestor,
  mapParents,
  mapPullNumbers,
  mapPullRequest,
  mapReviews,
} from './map.js';

/** Who the workflow token acts as; GET /user answers 403 for it ("Resource not accessible by integration"). */
export const githubWorkflowBot = 'github-actions[bot]';

/** The largest text file read through the API: a listing's own limit (64 MiB). */
const maxTextBytes = 64 * 1024 * 1024;

export function createGithubForge(options: GithubClientOptions & { repo: RepoRef }): Forge {
  const client = createGithubClient(options);
  let identity: Promise<string> | undefined;
  return {
    kind: 'github',
    repo: options.repo,
    capabilities: { annotations: true, jobSummary: true },
    getAuthenticatedUser() {
      identity ??= client.getAuthenticatedUser().then(
        (user) => user.login,
        (error: unknown) => {
          if (error instanceof Error && /HTTP 40[13]/.test(error.message)) return githubWorkflowBot;
          throw error;
        },
      );
      return identity;
    },
    getPullRequest: async (number) => mapPullRequest(await client.getPull(number)),
    listChangedFiles: async (number) => mapChangedFiles(await client.listPullFiles(number)),
    listReviews: async (number) => mapReviews(await client.listPullReviews(number)),
    async readFileAt(ref, path) {
      const file = mapFileEntry(await client.getContent(ref, path));
      if (file === undefined) return undefined;
      if (file.inline !== undefined) return Buffer.from(file.inline).toString('utf8');
      // Over 1 MB the contents API gives only the blob id (e.g. a large directory's listing).
      if (file.size > maxTextBytes) {
        throw new EgressError(
          'FORGE',
          `${path} is ${file.size} bytes at ${ref.slice(0, 7)}; egress-gate reads at most ${maxTextBytes} bytes of a request or configuration file.`,
        );
      }
      const body = await client.getBlobStream(file.blobSha);
      if (!body) return undefined;
      const chunks: Uint8Array[] = [];
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    },
    listDirAt: async (ref, dir) => mapDirectory(await client.getContent(ref, dir)),
    async openFileAt(ref, path) {
      const file = mapFileEntry(await client.getContent(ref, path));
      if (file === undefined) return undefined;
      // Up to 1 MB the contents API carries the bytes; above it only the blob id (served up to 100 MB).
      if (file.inline !== undefined)
        return (async function* () {
          yield file.inline!;
        })();
      const body = await client.getBlobStream(file.blobSha);
      if (!body) return undefined;
      return body as unknown as AsyncIterable<Uint8Array>;
    },
    async findPullRequestsForCommit(sha) {
      const pulls = await client.listPullsForCommit(sha);
      return pulls.filter((p) => p.state === 'open' && p.head.sha === sha).map((p) => p.number);
    },
    getBranchTip: async (branch) => mapBranchTip(await client.getBranch(branch)),
    async listOpenPullRequests(base) {
      const pulls = await client.listOpenPulls(base);
      return mapPullNumbers(pulls.filter((p) => p.state === 'open' && p.base.ref === base)).sort(
        (a, b) => a - b,
      );
    },
    async findMergedPullRequest(sha) {
      // The list also holds open pull requests that contain the commit: keep the one merged as it,
      // then confirm on the pull request itself (the list has no `merged` field).
      const listed = await client.listPullsForCommit(sha);
      for (const candidate of listed.filter((p) => p.merged_at && p.merge_commit_sha === sha)) {
        const pull = mapPullRequest(await client.getPull(candidate.number));
        if (pull.merged && pull.mergeCommitSha === sha) return pull.number;
      }
      return undefined;
    },
    getCommitParents: async (sha) => mapParents(await client.getCommit(sha)),
    async isAncestor(ancestor, sha) {
      if (ancestor === sha) return true;
      return mapIsAncestor(await client.compare(ancestor, sha));
    },
    async setCommitStatus(sha, status) {
      await client.createStatus(sha, {
        state: status.state,
        context: status.context,
        description: truncateDescription(status.description),
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      });
    },
    listComments: async (number) => (await client.listIssueComments(number)).map(mapComment),
    createComment: async (number, body) => mapComment(await client.createIssueComment(number, body)),
    async updateComment(id, body) {
      await client.updateIssueComment(id, body);
    },
    async addLabels(number, labels) {
      if (labels.length > 0) await client.addIssueLabels(number, labels);
    },
    removeLabel: (number, label) => client.removeIssueLabel(number, label),
  };
}
