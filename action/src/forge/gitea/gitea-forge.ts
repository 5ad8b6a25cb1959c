import type { Label } from 'gitea-js';
import { EgressError } from '../../shared/errors.js';
import type { Forge, RepoRef } from '../forge.js';
import { truncateDescription } from '../forge.js';
import { createGiteaClient, type GiteaClientOptions } from './client.js';
import {
  mapChangedFiles,
  mapComment,
  mapDirectory,
  mapFileContent,
  mapPullRequest,
  mapReviews,
} from './map.js';

export interface GiteaForgeOptions extends GiteaClientOptions {
  repo: RepoRef;
  /** Forgejo or Gitea; only changes the fallback bot name. */
  flavour?: 'gitea' | 'forgejo';
  /** Gitea ≥ 1.27 renders job summaries. */
  jobSummary?: boolean;
}

/** Colours for labels egress-gate creates on first use (Gitea, unlike GitHub, needs them to exist). */
const labelColours: Record<string, string> = {
  'egress:cleared': '#2ea043',
  'egress:blocked': '#d1242f',
  'egress:needs-discussion': '#bf8700',
  'egress:needs-review': '#0969da',
};

export function createGiteaForge(options: GiteaForgeOptions): Forge {
  const client = createGiteaClient(options);
  const bot = options.flavour === 'forgejo' ? 'forgejo-actions' : 'gitea-actions';
  let identity: Promise<string> | undefined;
  let repoLabels: Promise<Map<string, number>> | undefined;

  function labelIds(): Promise<Map<string, number>> {
    repoLabels ??= client.listRepoLabels().then(byName);
    return repoLabels;
  }

  return {
    kind: 'gitea',
    repo: options.repo,
    capabilities: { annotations: false, jobSummary: options.jobSummary ?? false },
    getAuthenticatedUser() {
      identity ??= client.getAuthenticatedUser().then(
        (user) => user?.login || bot,
        (error: unknown) => {
          // The Actions token may not read /user; comments it writes appear as this bot.
          if (error instanceof Error && /HTTP 40[134]/.test(error.message)) return bot;
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
      const pull = await client.getPullForCommit(sha);
      if (pull?.state !== 'open' || pull.head?.sha !== sha || typeof pull.number !== 'number') return [];
      return [pull.number];
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
    listComments: async (number) => ((await client.listIssueComments(number)) ?? []).map(mapComment),
    createComment: async (number, body) => mapComment(await client.createIssueComment(number, body)),
    async updateComment(id, body) {
      await client.updateIssueComment(id, body);
    },
    async addLabels(number, labels) {
      if (labels.length === 0) return;
      const ids = await labelIds();
      for (const name of labels) {
        if (!ids.has(name)) {
          const created = await client.createRepoLabel(
            name,
            labelColours[name] ?? '#6e7781',
            'Set by egress-gate',
          );
          if (typeof created.id === 'number') ids.set(name, created.id);
        }
      }
      await client.addIssueLabels(
        number,
        labels.map((n) => ids.get(n)).filter((id): id is number => id !== undefined),
      );
    },
    async removeLabel(number, label) {
      const id = (await labelIds()).get(label);
      if (id !== undefined) await client.removeIssueLabel(number, id);
    },
  };
}

function byName(labels: Label[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const l of labels) if (l.name && typeof l.id === 'number') map.set(l.name, l.id);
  return map;
}

function notYet(method: string): never {
  throw new EgressError('INTERNAL', `forge method ${method} is not implemented yet`);
}
