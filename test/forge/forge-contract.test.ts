import { describe, expect, test } from 'vitest';
import type { Forge } from '../../action/src/forge/forge.js';
import { createGiteaForge } from '../../action/src/forge/gitea/gitea-forge.js';
import { createGithubForge } from '../../action/src/forge/github/github-forge.js';
import { EgressError } from '../../action/src/shared/errors.js';
import { createWorld, type FakeWorld } from '../fake-forge/model.js';
import { mergePull, openPull, push, pushToBranch, seedBranch, submitReview } from '../fake-forge/scenario.js';
import { type Dialect, startFakeForge } from '../fake-forge/server.js';

/** One suite, both adapters, the same fake world rendered in each forge's dialect. */
const adapters: Array<{
  dialect: Dialect;
  create: (apiUrl: string, world: FakeWorld, token?: string) => Forge;
}> = [
  {
    dialect: 'github',
    create: (apiUrl, world, token) =>
      createGithubForge({
        apiUrl,
        token: token ?? world.token,
        repo: { owner: world.owner, repo: world.repo },
        retries: 0,
        throttle: false,
      }),
  },
  {
    dialect: 'gitea',
    create: (apiUrl, world, token) =>
      createGiteaForge({
        apiUrl,
        token: token ?? world.token,
        repo: { owner: world.owner, repo: world.repo },
        retries: 1,
        retryDelayMs: 1,
      }),
  },
];

function world(init: Parameters<typeof createWorld>[0] = {}) {
  const w = createWorld(init);
  seedBranch(w, 'main', {
    '.egress/config.yaml': 'policy: turing-dsh\n',
    '.egress/work-packages/wp-1.yaml': 'id: wp-1\n',
    '.egress/work-packages/wp-2.yaml': 'id: wp-2\n',
    '.egress/keys/a.asc': 'key',
    'README.md': 'hello',
  });
  return w;
}

describe.each(adapters)('$dialect adapter', ({ dialect, create }) => {
  test('reads the pull request, with the base commit the forge reports', async () => {
    const w = world();
    const pull = openPull(w, {
      author: 'erin',
      changes: { 'requests/r1.yaml': 'id: r1\n' },
      title: 'Outputs <b>',
    });
    const forkPoint = pull.baseSha;
    // The base branch moves on after the PR was opened.
    const tip = push(w, { ...pull, headSha: forkPoint }, { 'README.md': 'moved' });
    w.branches.set('main', tip);
    await using fake = await startFakeForge(dialect, w);
    const pr = await create(fake.apiUrl, w).getPullRequest(pull.number);
    expect(pr).toMatchObject({
      number: 1,
      author: 'erin',
      title: 'Outputs <b>',
      headSha: pull.headSha,
      state: 'open',
      merged: false,
    });
    if (dialect === 'github') expect(pr.baseSha).toBe(forkPoint);
    else expect(pr).toMatchObject({ baseSha: tip, mergeBase: forkPoint });
    expect(w.unknown).toEqual([]);
  });

  test('lists every changed file across pages, one call per page', async () => {
    const w = world();
    const changes: Record<string, string> = {};
    for (let i = 0; i < 120; i++) changes[`outputs/f-${String(i).padStart(3, '0')}.csv`] = `${i}`;
    changes['README.md'] = 'edited';
    const pull = openPull(w, { author: 'erin', changes: { ...changes, '.egress/keys/a.asc': null } });
    await using fake = await startFakeForge(dialect, w);
    const files = await create(fake.apiUrl, w).listChangedFiles(pull.number);
    expect(files).toHaveLength(122);
    expect(files.find((f) => f.path === 'README.md')?.status).toBe('modified');
    expect(files.find((f) => f.path === '.egress/keys/a.asc')?.status).toBe('removed');
    expect(files.find((f) => f.path === 'outputs/f-119.csv')?.status).toBe('added');
    const pages = w.calls.filter((c) => c.path.endsWith('/files')).length;
    expect(pages).toBe(dialect === 'github' ? 2 : 3);
    expect(w.unknown).toEqual([]);
  });

  test('normalises review states; dismissed and pending reviews say so', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    const first = pull.headSha;
    submitReview(w, pull, { user: 'alice', body: 'tier: 1' });
    submitReview(w, pull, { user: 'bob', state: 'CHANGES_REQUESTED', body: 'no' });
    submitReview(w, pull, { user: 'carol', state: 'COMMENTED', body: 'hmm' });
    submitReview(w, pull, { user: 'dave', state: 'PENDING', body: 'draft' });
    const dismissed = submitReview(w, pull, { user: 'frank', body: 'tier: 0' });
    pull.reviews.find((r) => r.id === dismissed)!.dismissed = true;
    push(w, pull, { 'requests/r1.yaml': 'id: r1\n# more\n' });
    await using fake = await startFakeForge(dialect, w);
    const reviews = await create(fake.apiUrl, w).listReviews(pull.number);
    expect(reviews.map((r) => [r.user, r.state, r.commit, r.body])).toEqual([
      ['alice', 'APPROVED', first, 'tier: 1'],
      ['bob', 'CHANGES_REQUESTED', first, 'no'],
      ['carol', 'COMMENTED', first, 'hmm'],
      ['frank', 'DISMISSED', first, 'tier: 0'],
    ]);
    expect(reviews.find((r) => r.user === 'frank')?.dismissed).toBe(true);
    // Only Gitea flags reviews made before the last push; on GitHub the commit says it.
    expect(reviews[0]?.stale).toBe(dialect === 'gitea' ? true : undefined);
    expect(w.unknown).toEqual([]);
  });

  test('reads files and directories at a given commit, not another', async () => {
    const w = world();
    const base = w.branches.get('main')!;
    const pull = openPull(w, {
      author: 'erin',
      changes: {
        '.egress/work-packages/wp-1.yaml': 'id: wp-1\nroles: {investigator: [erin]}\n',
        'requests/r1.yaml': 'id: r1\n',
      },
    });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    expect(await forge.readFileAt(base, '.egress/work-packages/wp-1.yaml')).toBe('id: wp-1\n');
    expect(await forge.readFileAt(pull.headSha, '.egress/work-packages/wp-1.yaml')).toContain('erin');
    expect(await forge.readFileAt(base, 'requests/r1.yaml')).toBeUndefined();
    expect(await forge.readFileAt(base, '.egress/work-packages')).toBeUndefined();
    expect(await forge.listDirAt(base, '.egress/work-packages')).toEqual(['wp-1.yaml', 'wp-2.yaml']);
    expect(await forge.listDirAt(base, '.egress')).toEqual(['config.yaml']);
    expect(await forge.listDirAt(base, 'requests')).toEqual([]);
    expect(w.unknown).toEqual([]);
  });

  test('reads a request file over 1 MB whole (a large directory listing), not only its blob id', async () => {
    const w = world();
    const listing = `${Array.from({ length: 14_000 }, (_, i) => `${'0'.repeat(64)}  bulk/ward-${i}.csv`).join('\n')}\n`;
    expect(listing.length).toBeGreaterThan(1024 * 1024);
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1/weekly/bulk.sha256': listing } });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    expect(await forge.readFileAt(pull.headSha, 'requests/r1/weekly/bulk.sha256')).toBe(listing);
    expect(w.unknown).toEqual([]);
  });

  test('finds the open pull request of a commit', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    expect(await forge.findPullRequestsForCommit(pull.headSha)).toEqual([1]);
    expect(await forge.findPullRequestsForCommit(w.branches.get('main')!)).toEqual([]);
    // Once merged, its head is no open pull request's head any more.
    mergePull(w, pull, { by: 'dora' });
    expect(await forge.findPullRequestsForCommit(pull.headSha)).toEqual([]);
    expect(w.unknown).toEqual([]);
  });

  test('reads the current tip of a branch, which moves; an unknown branch is an error', async () => {
    const w = world();
    const first = w.branches.get('main')!;
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    expect(await forge.getBranchTip('main')).toBe(first);
    const moved = pushToBranch(w, 'main', { 'README.md': 'moved' });
    expect(await forge.getBranchTip('main')).toBe(moved);
    const error = await forge.getBranchTip('no-such-branch').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FORGE', transient: false });
    expect((error as Error).message).toMatch(/HTTP 404/);
    expect(w.unknown).toEqual([]);
  });

  test('lists the open pull requests against a base branch, every page', async () => {
    const w = world();
    seedBranch(w, 'other', { 'README.md': 'other' });
    const against: number[] = [];
    for (let i = 0; i < 110; i++) {
      const base = i % 11 === 0 ? 'other' : 'main';
      const p = openPull(w, { author: 'erin', base, changes: { [`requests/r${i}.yaml`]: `id: r${i}\n` } });
      if (base === 'main') against.push(p.number);
    }
    const closed = against.splice(3, 1)[0]!;
    mergePull(w, w.pulls.get(closed)!, { by: 'dora', method: 'squash' });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    expect(await forge.listOpenPullRequests('main')).toEqual(against);
    expect(await forge.listOpenPullRequests('other')).toHaveLength(10);
    expect(await forge.listOpenPullRequests('nowhere')).toEqual([]);
    expect(w.unknown).toEqual([]);
  });

  test.each(['merge', 'squash', 'rebase'] as const)(
    'finds the pull request merged as a commit (%s merge), and no other',
    async (method) => {
      const w = world();
      const other = openPull(w, { author: 'frank', changes: { 'requests/r2.yaml': 'id: r2\n' } });
      const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
      const firstHead = pull.headSha;
      push(w, pull, { 'requests/r1.yaml': 'id: r1\ntitle: t\n' });
      pushToBranch(w, 'main', { 'README.md': 'moved on' });
      const before = w.branches.get('main')!;
      const mergedAs = mergePull(w, pull, { by: 'dora', method });
      await using fake = await startFakeForge(dialect, w);
      const forge = create(fake.apiUrl, w);
      expect(await forge.findMergedPullRequest(mergedAs)).toBe(pull.number);
      // Neither an open pull request's head, nor a head commit of the merged one, nor the base.
      expect(await forge.findMergedPullRequest(other.headSha)).toBeUndefined();
      expect(await forge.findMergedPullRequest(firstHead)).toBeUndefined();
      expect(await forge.findMergedPullRequest(before)).toBeUndefined();
      const pr = await forge.getPullRequest(pull.number);
      expect(pr).toMatchObject({ state: 'closed', merged: true, mergedBy: 'dora', mergeCommitSha: mergedAs });
      expect((await forge.getPullRequest(other.number)).mergeCommitSha).toBeUndefined();

      const parents = await forge.getCommitParents(mergedAs);
      if (method === 'merge') expect(parents).toEqual([before, pull.headSha]);
      else if (method === 'squash') expect(parents).toEqual([before]);
      else {
        // Rebased: two commits replayed onto the tip; the first of them sits on `before`.
        expect(parents).toHaveLength(1);
        expect(await forge.getCommitParents(parents[0]!)).toEqual([before]);
      }
      expect(w.unknown).toEqual([]);
    },
  );

  test('tells whether one commit is an ancestor of another', async () => {
    const w = world();
    const root = w.branches.get('main')!;
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    const before = pushToBranch(w, 'main', { 'README.md': 'two' });
    const after = mergePull(w, pull, { by: 'dora', method: 'rebase' });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    expect(await forge.isAncestor(before, after)).toBe(true);
    expect(await forge.isAncestor(root, after)).toBe(true);
    expect(await forge.isAncestor(after, after)).toBe(true);
    expect(await forge.isAncestor(after, before)).toBe(false);
    // Diverged: the pull request's own head is on neither side of the rebased line.
    expect(await forge.isAncestor(pull.headSha, after)).toBe(false);
    expect(await forge.isAncestor(before, pull.headSha)).toBe(false);
    expect(w.unknown).toEqual([]);
  });

  test('says how many files a pull request changes, even when the listing is cut short', async () => {
    const w = world({ fileListLimit: 150 });
    const changes: Record<string, string> = {};
    for (let i = 0; i < 200; i++) changes[`outputs/f-${i}.csv`] = `${i}`;
    const pull = openPull(w, { author: 'erin', changes: { ...changes, 'requests/r1.yaml': 'id: r1\n' } });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    const pr = await forge.getPullRequest(pull.number);
    const listed = await forge.listChangedFiles(pull.number);
    expect(pr.changedFilesCount).toBe(201);
    // GitHub stops listing at its limit (3,000 on github.com); Gitea lists them all.
    expect(listed).toHaveLength(dialect === 'github' ? 150 : 201);
    expect(w.unknown).toEqual([]);
  });

  test('sets a commit status, cutting the description to 140 characters', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    await using fake = await startFakeForge(dialect, w);
    await create(fake.apiUrl, w).setCommitStatus(pull.headSha, {
      state: 'pending',
      context: 'egress-gate',
      description: 'x'.repeat(200),
      targetUrl: 'https://ci.example/run/1',
    });
    expect(w.statuses).toHaveLength(1);
    expect(w.statuses[0]).toMatchObject({
      sha: pull.headSha,
      state: 'pending',
      context: 'egress-gate',
      targetUrl: 'https://ci.example/run/1',
    });
    expect(w.statuses[0]!.description).toHaveLength(140);
  });

  test('creates, lists and updates comments', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    const created = await forge.createComment(pull.number, 'first');
    await forge.updateComment(created.id, 'second');
    expect(await forge.listComments(pull.number)).toEqual([
      { id: created.id, author: w.botLogin, body: 'second' },
    ]);
  });

  test('adds and removes labels (Gitea: by id, creating them on first use)', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    await using fake = await startFakeForge(dialect, w);
    const forge = create(fake.apiUrl, w);
    await forge.addLabels(pull.number, ['egress:needs-review', 'egress:tier-1']);
    await forge.removeLabel(pull.number, 'egress:needs-review');
    await forge.removeLabel(pull.number, 'egress:never-added');
    expect(pull.labels).toEqual(['egress:tier-1']);
    expect((await forge.getPullRequest(pull.number)).labels).toEqual(['egress:tier-1']);
    const deletes = w.calls
      .filter((c) => c.method === 'DELETE')
      .map((c) => decodeURIComponent(c.path.split('/').pop()!));
    if (dialect === 'gitea') expect(deletes.every((d) => /^\d+$/.test(d!))).toBe(true);
    else expect(deletes).toEqual(['egress:needs-review', 'egress:never-added']);
    expect(w.unknown).toEqual([]);
  });

  test('knows who it is, falling back to the workflow bot when /user is refused', async () => {
    const open = world({ botLogin: 'release-bot' });
    await using fake1 = await startFakeForge(dialect, open);
    expect(await create(fake1.apiUrl, open).getAuthenticatedUser()).toBe('release-bot');
    const closed = world({ userEndpointForbidden: true });
    await using fake2 = await startFakeForge(dialect, closed);
    expect(await create(fake2.apiUrl, closed).getAuthenticatedUser()).toBe(
      dialect === 'github' ? 'github-actions[bot]' : 'gitea-actions',
    );
  });

  test('a bad token is a permanent FORGE error that never shows the token', async () => {
    const w = world();
    await using fake = await startFakeForge(dialect, w);
    const secret = 'ghs_wrongwrongwrong123456';
    const error = await create(fake.apiUrl, w, secret)
      .getPullRequest(1)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EgressError);
    expect(error).toMatchObject({ code: 'FORGE', transient: false });
    expect((error as Error).message).toMatch(/HTTP 401.*Bad credentials.*token/);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(secret);
  });

  test('server errors are transient; Gitea retries them, a persistent one is reported', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
    w.faults.push({ match: `GET /repos/tre/egress/pulls/${pull.number}`, status: 502, remaining: 5 });
    await using fake = await startFakeForge(dialect, w);
    const error = await create(fake.apiUrl, w)
      .getPullRequest(pull.number)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FORGE', transient: true });
    expect((error as Error).message).toMatch(/HTTP 502/);
    w.faults.length = 0;
    w.faults.push({ match: `GET /repos/tre/egress/pulls/${pull.number}`, status: 503, remaining: 1 });
    if (dialect === 'gitea')
      expect((await create(fake.apiUrl, w).getPullRequest(pull.number)).number).toBe(1);
  });

  if (dialect === 'gitea') {
    test('falls back to walking parents where Gitea cannot compare two commit ids', async () => {
      const w = world({ giteaCompareShas: false });
      const root = w.branches.get('main')!;
      const pull = openPull(w, { author: 'erin', changes: { 'requests/r1.yaml': 'id: r1\n' } });
      push(w, pull, { 'requests/r1.yaml': 'id: r1\n# 2\n' });
      const before = pushToBranch(w, 'main', { 'README.md': 'two' });
      const after = mergePull(w, pull, { by: 'dora', method: 'merge' });
      await using fake = await startFakeForge(dialect, w);
      const forge = create(fake.apiUrl, w);
      expect(await forge.isAncestor(before, after)).toBe(true);
      expect(await forge.isAncestor(pull.headSha, after)).toBe(true);
      expect(await forge.isAncestor(root, after)).toBe(true);
      expect(await forge.isAncestor(after, before)).toBe(false);
      expect(w.calls.some((c) => c.path.includes('/compare/') && c.status === 404)).toBe(true);
    });
  }

  test('the fake refuses what it does not know, and says so', async () => {
    const w = world();
    await using fake = await startFakeForge(dialect, w);
    const answer = fake.handle({
      method: 'GET',
      path: '/repos/tre/egress/branches',
      query: new URLSearchParams(),
      headers: { authorization: `token ${w.token}` },
      body: undefined,
    });
    expect(answer.status).toBe(404);
    expect(w.unknown).toEqual(['GET /repos/tre/egress/branches']);
  });
});
