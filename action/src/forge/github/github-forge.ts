import { EgressError } from '../../shared/errors.js';
import type { Forge, RepoRef } from '../forge.js';
import { truncateDescription } from '../forge.js';
import { createGithubClient, type GithubClientOptions } from './client.js';
import {
  mapChangedFiles,
  mapComment,
  mapDirectory,
  mapFileContent,
  mapPullRequest,
  mapReviews,
} from './map.js';

/** Who the workflow token acts as; GET /user answers 403 for it ("Resource not accessible by integration"). */
export const githubWorkflowBot = 'github-actions[bot]';

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
    readFileAt: async (ref, path) => mapFileContent(await client.getContent(ref, path), path),
    listDirAt: async (ref, dir) => mapDirectory(await client.getContent(ref, dir)),
    async findPullRequestsForCommit(sha) {
      const pulls = await client.listPullsForCommit(sha);
      return pulls.filter((p) => p.state === 'open' && p.head.sha === sha).map((p) => p.number);
    },
    // Implemented by the forge work (issue 9/8); the port is agreed first so both sides can build on it.
    getBranchTip: () => notYet('getBranchTip'),
    listOpenPullRequests: () => notYet('listOpenPullRequests'),
    findMergedPullRequest: () => notYet('findMergedPullRequest'),
    getCommitParents: () => notYet('getCommitParents'),
    isAncestor: () => notYet('isAncestor'),
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

function notYet(method: string): never {
  throw new EgressError('INTERNAL', `forge method ${method} is not implemented yet`);
}
