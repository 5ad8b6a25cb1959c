import type { Label } from 'gitea-js';
import { EgressError } from '../../shared/errors.js';
import type { Forge, RepoRef } from '../forge.js';
import { truncateDescription } from '../forge.js';
import { createGiteaClient, type GiteaClientOptions } from './client.js';
import {
  mapBranchTip,
  mapChangedFiles,
  mapComment,
  mapDirectory,
  mapFileContent,
  mapParents,
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
    async openFileAt(ref, path) {
      const body = await client.openMedia(ref, path);
      return body as unknown as AsyncIterable<Uint8Array> | undefined;
    },
    async findPullRequestsForCommit(sha) {
      // Gitea's commits/{sha}/pull answers with the pull request merged as the commit, not the
      // open ones whose head it is: those are found in the list of open pull requests.
      const open = (await client.listOpenPulls()).map(mapPullRequest);
      return open
        .filter((p) => p.headSha === sha)
        .map((p) => p.number)
        .sort((a, b) => a - b);
    },
    getBranchTip: async (branch) => mapBranchTip(await client.getBranch(branch)),
    async listOpenPullRequests(base) {
      const open = (await client.listOpenPulls()).map(mapPullRequest);
      return open
        .filter((p) => p.state === 'open' && p.baseRef === base)
        .map((p) => p.number)
        .sort((a, b) => a - b);
    },
    async findMergedPullRequest(sha) {
      const wire = await client.getPullMergedAs(sha);
      if (wire === undefined) return undefined;
      const pull = mapPullRequest(wire);
      return pull.merged && pull.mergeCommitSha === sha ? pull.number : undefined;
    },
    getCommitParents: async (sha) => mapParents(await client.getGitCommit(sha)),
    async isAncestor(ancestor, sha) {
      if (ancestor === sha) return true;
      // Commits `ancestor` has that `sha` has not: none exactly when it is an ancestor.
      const compared = await client.compare(sha, ancestor);
      if (compared !== undefined) {
        if (typeof compared.total_commits !== 'number') {
          throw new EgressError(
            'FORGE',
            `Gitea returned an unexpected comparison: field 'total_commits' is ${JSON.stringify(compared.total_commits)}.`,
          );
        }
        return compared.total_commits === 0;
      }
      // Some Gitea versions answer 404 when both sides are commit ids: walk the parents instead.
      return walkForAncestor(ancestor, sha, async (c) => mapParents(await client.getGitCommit(c)));
    },
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

/** How many commits the fallback walk reads before it gives up rather than guess. */
export const ancestorWalkLimit = 500;

async function walkForAncestor(
  ancestor: string,
  sha: string,
  parentsOf: (sha: string) => Promise<string[]>,
): Promise<boolean> {
  const seen = new Set<string>([sha]);
  const todo = [sha];
  while (todo.length > 0) {
    if (seen.size > ancestorWalkLimit) {
      throw new EgressError(
        'FORGE',
        `Gitea could not compare ${ancestor.slice(0, 7)} with ${sha.slice(0, 7)}, and ${ancestorWalkLimit} commits of history did not reach it: cannot tell whether one descends from the other. Upgrade Gitea (its compare endpoint) or re-run the job.`,
      );
    }
    for (const parent of await parentsOf(todo.shift()!)) {
      if (parent === ancestor) return true;
      if (!seen.has(parent)) {
        seen.add(parent);
        todo.push(parent);
      }
    }
  }
  return false;
}
