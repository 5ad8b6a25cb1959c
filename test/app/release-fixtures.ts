/**
 * A plain-data, in-process `Forge` with commits (parents + full trees) and merged pull requests,
 * and an egress repository with real keys and real outputs, for the release flow's unit tests.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Forge, PullRequest } from '../../action/src/forge/forge.js';
import type { Review } from '../../action/src/policy/types.js';
import { makeTestKey, type TestKey } from '../pack/pack-fixtures.js';

export interface MemoryCommit {
  parents: string[];
  tree: Map<string, string>;
}

export interface MemoryForge extends Forge {
  commits: Map<string, MemoryCommit>;
  pulls: Map<number, PullRequest & { reviews: Review[]; files: string[] }>;
  comments: { issue: number; body: string }[];
  labels: Map<number, string[]>;
  commit(parent: string | string[] | undefined, changes: Record<string, string | null>): string;
}

let counter = 0;

export function createMemoryForge(kind: 'github' | 'gitea' = 'github'): MemoryForge {
  const commits = new Map<string, MemoryCommit>();
  const pulls: MemoryForge['pulls'] = new Map();
  const comments: MemoryForge['comments'] = [];
  const labels = new Map<number, string[]>();
  const branches = new Map<string, string>();
  const tree = (sha: string) => {
    const c = commits.get(sha);
    if (!c) throw new Error(`memory forge: no commit ${sha}`);
    return c.tree;
  };
  const ancestors = (sha: string): Set<string> => {
    const seen = new Set<string>();
    const todo = [sha];
    while (todo.length > 0) {
      const next = todo.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      todo.push(...(commits.get(next)?.parents ?? []));
    }
    return seen;
  };
  const forge: MemoryForge = {
    kind,
    repo: { owner: 'tre', repo: 'egress' },
    capabilities: { annotations: kind === 'github', jobSummary: true },
    commits,
    pulls,
    comments,
    labels,
    commit(parent, changes) {
      const parents = parent === undefined ? [] : Array.isArray(parent) ? parent : [parent];
      const next = new Map(parents[0] ? tree(parents[0]) : undefined);
      for (const [path, text] of Object.entries(changes)) {
        if (text === null) next.delete(path);
        else next.set(path, text);
      }
      counter += 1;
      const sha = createHash('sha1')
        .update(`${counter}:${parents.join(',')}:${JSON.stringify(changes)}`)
        .digest('hex');
      commits.set(sha, { parents, tree: next });
      return sha;
    },
    async getAuthenticatedUser() {
      return 'egress-bot';
    },
    async getPullRequest(number) {
      const pull = pulls.get(number);
      if (!pull) throw new Error(`memory forge: no pull request #${number}`);
      const { reviews: _r, files: _f, ...rest } = pull;
      return structuredClone(rest);
    },
    async listChangedFiles(number) {
      return (pulls.get(number)?.files ?? []).map((path) => ({ path, status: 'added' as const }));
    },
    async listReviews(number) {
      return structuredClone(pulls.get(number)?.reviews ?? []);
    },
    async readFileAt(ref, path) {
      return tree(ref).get(path);
    },
    async listDirAt(ref, dir) {
      const prefix = `${dir.replace(/\/+$/, '')}/`;
      return [...tree(ref).keys()]
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
        .map((p) => p.slice(prefix.length))
        .sort();
    },
    async findPullRequestsForCommit() {
      return [];
    },
    async getBranchTip(branch) {
      const tip = branches.get(branch);
      if (!tip) throw new Error(`memory forge: no branch ${branch}`);
      return tip;
    },
    async listOpenPullRequests() {
      return [];
    },
    async findMergedPullRequest(sha) {
      for (const pull of pulls.values()) if (pull.merged && pull.mergeCommitSha === sha) return pull.number;
      return undefined;
    },
    async getCommitParents(sha) {
      return [...(commits.get(sha)?.parents ?? [])];
    },
    async isAncestor(ancestor, sha) {
      return ancestors(sha).has(ancestor);
    },
    async setCommitStatus() {},
    async listComments(number) {
      return comments
        .filter((c) => c.issue === number)
        .map((c, i) => ({ id: i + 1, author: 'egress-bot', body: c.body }));
    },
    async createComment(number, body) {
      comments.push({ issue: number, body });
      return { id: comments.length, author: 'egress-bot', body };
    },
    async updateComment() {},
    async addLabels(number, add) {
      labels.set(number, [...new Set([...(labels.get(number) ?? []), ...add])]);
    },
    async removeLabel(number, label) {
      labels.set(
        number,
        (labels.get(number) ?? []).filter((l) => l !== label),
      );
    },
  };
  return Object.assign(forge, {
    setBranch(name: string, sha: string) {
      branches.set(name, sha);
    },
  });
}

export const requestId = 'wp1-2026-paper';
export const requestPath = `requests/${requestId}.yaml`;

export interface ReleaseRepo {
  files: Record<string, string>;
  investigator: TestKey;
  signer: TestKey;
  outputs: Record<string, string>;
  manifest(options?: { extraCollection?: boolean; title?: string }): string;
}

/** Trusted configuration with real keys and two physical destinations (paths under the workspace). */
export async function makeReleaseRepo(): Promise<ReleaseRepo> {
  const [investigator, provider, signer] = await Promise.all([
    makeTestKey('Investigator'),
    makeTestKey('Provider'),
    makeTestKey('Egress'),
  ]);
  const outputs = {
    'report/findings.md': '# Findings\n\nAdmissions rose in winter.\n',
    'report/table-1.csv': 'region,admissions\nnorth,120\nsouth,140\n',
    'code/plot.py': 'print("plot")\n',
  };
  const pin = (path: string) => {
    const text = outputs[path as keyof typeof outputs];
    return `        sha256: ${createHash('sha256').update(text).digest('hex')}\n        size: ${Buffer.byteLength(text)}\n`;
  };
  const files = {
    '.egress/config.yaml': `policy: turing-dsh
outputsRoot: outputs
signingKey: egress-signing.asc
destinations:
  researcher-disk:
    kind: physical
    path: delivered/researcher
  archive-disk:
    kind: physical
    path: delivered/archive
`,
    '.egress/work-packages/wp1.yaml': `id: wp1
title: Admissions study
tier: 3
roles:
  investigator: [alice]
  data-provider-representative: [bob]
  referee: [carol]
  system-manager: [dora]
dataProvider:
  name: Example NHS Trust
  keys: [provider.asc]
  destinations: [archive-disk]
destinations: [researcher-disk, archive-disk]
recipients: [investigator.asc]
`,
    '.egress/keys/provider.asc': provider.publicArmored,
    '.egress/keys/investigator.asc': investigator.publicArmored,
    '.egress/keys/egress-signing.asc': signer.publicArmored,
    'README.md': '# TRE egress repository\n',
  };
  return {
    files,
    investigator,
    signer,
    outputs,
    manifest({ extraCollection = true, title = 'Figures for the admissions paper' } = {}) {
      return `id: ${requestId}
workPackage: wp1
title: ${JSON.stringify(title)}
purpose: Finish the paper outside the environment.
requester: erin
collections:
  - name: report-inputs
    kind: report
    description: Text and the summary table needed to finish the report.
    destination: researcher-disk
    items:
      - path: report/findings.md
${pin('report/findings.md')}      - path: report/table-1.csv
${pin('report/table-1.csv')}${
  extraCollection
    ? `  - name: analysis-code
    kind: code
    description: The plotting script.
    destination: archive-disk
    items:
      - path: code/plot.py
${pin('code/plot.py')}`
    : ''
}`;
    },
  };
}

export async function writeOutputFiles(root: string, outputs: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(outputs)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Three approvals with `tier: 1` on the head commit; optional per-collection overrides. */
export function approvals(head: string, body = 'tier: 1'): Review[] {
  return ['alice', 'bob', 'carol'].map((user, i) => ({
    id: String(100 + i),
    user,
    state: 'APPROVED' as const,
    commit: head,
    body: `Checked.\n${body}\n`,
  }));
}

export interface MergedScenario {
  base: string;
  head: string;
  merge: string;
  number: number;
}

/**
 * main ← a pull request adding the request, merged as `how`: a merge commit (two parents), a
 * squash (one commit on the old tip) or a rebase of two commits (the first one touching config).
 */
export function mergeRequest(
  forge: MemoryForge,
  repo: ReleaseRepo,
  options: {
    how?: 'merge' | 'squash' | 'rebase';
    mergedBy?: string;
    manifest?: string;
    reviews?: (head: string) => Review[];
    number?: number;
  } = {},
): MergedScenario {
  const how = options.how ?? 'merge';
  const base = forge.commit(undefined, repo.files);
  const manifest = options.manifest ?? repo.manifest();
  const head = forge.commit(base, { [requestPath]: manifest });
  let merge: string;
  if (how === 'merge') merge = forge.commit([base, head], { [requestPath]: manifest });
  else if (how === 'squash') merge = forge.commit(base, { [requestPath]: manifest });
  else {
    // Two rebased commits: the first adds someone as a referee, the second reverts it and adds the request.
    const first = forge.commit(base, {
      '.egress/work-packages/wp1.yaml': repo.files['.egress/work-packages/wp1.yaml']!.replace(
        'referee: [carol]',
        'referee: [carol, erin]',
      ),
    });
    merge = forge.commit(first, {
      '.egress/work-packages/wp1.yaml': repo.files['.egress/work-packages/wp1.yaml']!,
      [requestPath]: manifest,
    });
  }
  const number = options.number ?? 7;
  forge.pulls.set(number, {
    number,
    title: 'Egress request',
    author: 'erin',
    state: 'closed',
    merged: true,
    mergedBy: options.mergedBy ?? 'dora',
    headSha: head,
    headRef: 'request-7',
    baseSha: base,
    baseRef: 'main',
    labels: ['egress:cleared'],
    mergeCommitSha: merge,
    reviews: (options.reviews ?? approvals)(head),
    files: [requestPath],
  });
  return { base, head, merge, number };
}
