import { describe, expect, test } from 'vitest';
import { createWorld, type FakePull, type FakeWorld } from '../fake-forge/model.js';
import {
  latestStatus,
  openPull,
  push,
  pushToBranch,
  seedBranch,
  submitReview,
} from '../fake-forge/scenario.js';
import { type Dialect, type FakeForge, startFakeForge } from '../fake-forge/server.js';
import { baseFiles, requestId, requestManifest, requestOutputs, requestPath } from './fixture-repo.js';
import {
  giteaPullRequestEvent,
  giteaPushEvent,
  giteaReviewEvent,
  githubPullRequestEvent,
  githubPushEvent,
  githubReviewEvent,
  githubWorkflowRunEvent,
} from './payloads.js';
import { type ActionRun, runAction as runBundledAction } from './run-action.js';

/**
 * End to end: the bundled action, run as a runner runs it, against a fake GitHub and a fake Gitea,
 * under a given Node binary (the runner's node24, and node20 which the CLI keeps supporting).
 */
export function reviewSuite(node: string, label: string): void {
  const runAction: typeof runBundledAction = (forge, eventName, payload, extra = {}) =>
    runBundledAction(forge, eventName, payload, { ...extra, node });

  function newWorld(dialect: Dialect): FakeWorld {
    // GitHub's workflow token cannot read /user; its comments are by github-actions[bot].
    const world =
      dialect === 'github'
        ? createWorld({ botLogin: 'github-actions[bot]', userEndpointForbidden: true })
        : createWorld({ botLogin: 'gitea-actions', userEndpointForbidden: true });
    seedBranch(world, 'main', baseFiles);
    return world;
  }

  function onPullEvent(
    forge: FakeForge,
    pull: FakePull,
    action: 'opened' | 'synchronize',
  ): Promise<ActionRun> {
    const w = forge.world;
    return forge.dialect === 'github'
      ? runAction(forge, 'pull_request_target', githubPullRequestEvent(w, pull, action))
      : runAction(
          forge,
          'pull_request_target',
          giteaPullRequestEvent(w, pull, action === 'opened' ? 'opened' : 'synchronized'),
        );
  }

  function onReview(
    forge: FakeForge,
    pull: FakePull,
    reviewer: string,
    extra: Parameters<typeof runAction>[3] = {},
  ): Promise<ActionRun> {
    const w = forge.world;
    return forge.dialect === 'github'
      ? runAction(forge, 'pull_request_review', githubReviewEvent(w, pull, 'submitted', reviewer), extra)
      : runAction(forge, 'pull_request_review', giteaReviewEvent(w, pull, reviewer), extra);
  }

  function stickyComments(world: FakeWorld, pull: FakePull) {
    return world.comments.filter((c) => c.issue === pull.number && c.body.includes('egress-gate'));
  }

  function expectNoSecret(run: ActionRun, world: FakeWorld, secrets: string[]): void {
    // `::add-mask::` is how the runner learns what to mask; it never shows that line in the log.
    const stdout = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    const everything = [
      stdout,
      run.stderr,
      run.summary,
      JSON.stringify(run.outputs),
      ...world.comments.map((c) => c.body),
      ...world.statuses.map((s) => s.description),
    ].join('\n');
    for (const s of secrets) expect(everything).not.toContain(s);
  }

  describe.each(['github', 'gitea'] as const)(`the action on %s (${label})`, (dialect) => {
    test('three tier-1 classifications clear the request; a push makes them stale; ten events, one comment', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const signingKey = 'SIGNING-KEY-SECRET-4f1e2d3c';
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      const runs: ActionRun[] = [];
      const secretsIn = { inputs: { 'signing-key': signingKey } };

      runs.push(await onPullEvent(forge, pull, 'opened'));
      expect(runs[0]!.stderr).toBe('');
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('pending');
      expect(pull.labels).toEqual(['egress:needs-review']);

      for (const reviewer of ['alice', 'bob', 'carol']) {
        submitReview(world, pull, { user: reviewer, body: 'Checked every figure.\ntier: 1' });
        runs.push(await onReview(forge, pull, reviewer));
      }
      const cleared = runs.at(-1)!;
      expect(cleared.code).toBe(0);
      expect(latestStatus(world, pull.headSha, 'egress-gate')).toMatchObject({
        state: 'success',
        targetUrl: expect.stringContaining('/actions/runs/4242'),
      });
      expect([...pull.labels].sort()).toEqual(['egress:cleared', 'egress:tier-1']);
      expect(cleared.outputs).toEqual({ 'request-id': requestId, state: 'cleared', tier: '1' });
      const table = stickyComments(world, pull)[0]!.body;
      expect(table).toMatch(
        /\| report-inputs \| tier 1 · @\u200Dalice · `[0-9a-f]{7}` \| tier 1 · @\u200Dbob/,
      );
      expect(cleared.summary).toContain('Cleared');

      // A review event that changes the outcome reads each path once.
      const reads = world.calls
        .slice(-cleared.calls)
        .filter((c) => c.method === 'GET')
        .map((c) => `${c.path}?${c.query}`);
      expect(reads.length).toBe(new Set(reads).size);

      const oldHead = pull.headSha;
      push(world, pull, { 'outputs-note.md': 'one more figure\n' });
      runs.push(await onPullEvent(forge, pull, 'synchronize'));
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('pending');
      expect(latestStatus(world, oldHead, 'egress-gate')?.state).toBe('success');
      expect(pull.labels).toEqual(['egress:needs-review']);
      const stale = stickyComments(world, pull)[0]!.body;
      expect(stale).toContain('before the last push');
      expect(runs.at(-1)!.outputs['state']).toBe('awaiting-review');

      for (const reviewer of ['alice', 'bob']) {
        submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
        runs.push(await onReview(forge, pull, reviewer));
      }
      submitReview(world, pull, { user: 'carol', body: 'tier: 2' });
      runs.push(await onReview(forge, pull, 'carol'));
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('pending');
      expect(pull.labels).toContain('egress:needs-discussion');

      submitReview(world, pull, { user: 'carol', body: 'Agreed after all.\ntier: 1' });
      runs.push(await onReview(forge, pull, 'carol'));
      runs.push(
        dialect === 'github'
          ? await runAction(forge, 'workflow_run', githubWorkflowRunEvent(world, pull), secretsIn)
          : await onReview(forge, pull, 'carol'),
      );
      expect(runs).toHaveLength(10);
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');
      expect(stickyComments(world, pull)).toHaveLength(1);
      expect(world.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/comments'))).toHaveLength(1);
      for (const run of runs) {
        expect(run.code).toBe(0);
        expectNoSecret(run, world, [world.token, signingKey]);
      }
      expect(world.unknown).toEqual([]);
    }, 120_000);

    test('a request together with a change to .egress/ is refused, and the reviewer it adds does not count', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const widened = baseFiles['.egress/work-packages/wp1.yaml']!.replace(
        'referee: [carol]',
        'referee: [carol, mallory]',
      );
      const pull = openPull(world, {
        author: 'erin',
        changes: {
          ...requestOutputs,
          [requestPath]: requestManifest(),
          '.egress/work-packages/wp1.yaml': widened,
        },
      });
      for (const reviewer of ['alice', 'bob', 'mallory'])
        submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
      const run = await onReview(forge, pull, 'mallory');
      expect(run.code).toBe(1);
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('failure');
      expect(pull.labels).toEqual(['egress:blocked']);
      expect(run.outputs['state']).toBe('refused');
      const body = stickyComments(world, pull)[0]!.body;
      expect(body).toContain('changes trusted configuration (.egress/work-packages/wp1.yaml)');
      expect(body).not.toMatch(/tier 1 · @\u200Dmallory/);
      expect(body).toMatch(/@\u200Dmallory.*(no role|not hold|holds no)/i);
      expect(world.unknown).toEqual([]);
    });

    test('a review event costs a fixed number of calls; more changed files cost only more pages', async () => {
      const steadyCalls = async (extraFiles: number) => {
        const world = newWorld(dialect);
        await using forge = await startFakeForge(dialect, world);
        const changes: Record<string, string> = { ...requestOutputs, [requestPath]: requestManifest() };
        for (let i = 0; i < extraFiles; i++) changes[`notes/n-${i}.md`] = `${i}`;
        const pull = openPull(world, { author: 'erin', changes });
        for (const reviewer of ['alice', 'bob', 'carol'])
          submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
        const first = await onReview(forge, pull, 'carol');
        const mark = world.calls.length;
        const again = await onReview(forge, pull, 'carol');
        expect(first.outputs['state']).toBe('cleared');
        expect(world.unknown).toEqual([]);
        return { again: again.calls, calls: world.calls.slice(mark) };
      };
      const small = await steadyCalls(0);
      const large = await steadyCalls(300);
      const pageSize = dialect === 'github' ? 100 : 50;
      expect(large.again - small.again).toBe(Math.ceil(301 / pageSize) - 1);
      // Nothing changed: the only write is the status; no path is read twice, and the branch tip once.
      const writes = small.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`);
      expect(writes).toEqual([
        `POST /repos/tre/egress/statuses/${small.calls
          .find((c) => c.method === 'POST')!
          .path.split('/')
          .pop()}`,
      ]);
      const reads = small.calls.filter((c) => c.method === 'GET').map((c) => `${c.path}?${c.query}`);
      expect(reads.length).toBe(new Set(reads).size);
      expect(reads.filter((r) => r.includes('/branches/'))).toHaveLength(1);
    });

    test('a secret that turns up in user text is masked in the comment, the status, the summary and the log', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const secret = 'sas-token-9f8e7d6c5b4a';
      const pull = openPull(world, {
        author: 'erin',
        changes: {
          ...requestOutputs,
          [requestPath]: requestManifest(`Figures (token ${secret} pasted by mistake)`),
        },
      });
      submitReview(world, pull, { user: 'alice', body: `tier: 1\nnot tier ${secret}: 2` });
      const run = await onReview(forge, pull, 'alice', { inputs: { 'azure-account-key': secret } });
      expect(run.code).toBe(0);
      expectNoSecret(run, world, [secret, world.token]);
      expect(stickyComments(world, pull)[0]!.body).toContain('Figures (token *** pasted by mistake)');
    });

    test('hostile text in the request neither mentions anyone nor injects HTML', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const title =
        '<img src=x onerror=alert(1)> @everyone <!-- egress-gate:review --> [x](https://evil.example)';
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest(title) },
      });
      const run = await onPullEvent(forge, pull, 'opened');
      expect(run.code).toBe(0);
      const body = stickyComments(world, pull)[0]!.body;
      expect(body).not.toContain('<img');
      expect(body).not.toMatch(/@everyone/);
      expect(body.split('<!-- egress-gate:review -->')).toHaveLength(2);
      expect(body).not.toMatch(/(?<!\\)\]\(https:\/\/evil/);
      expect(body).toContain('&lt;img src=x onerror=alert(1)&gt; @\u200Deveryone');
    });

    test('a merged pull request asks for release mode, which re-reads the pull request from the forge and delivers nothing while the forge says it is not merged', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      const payload =
        dialect === 'github'
          ? githubPullRequestEvent(world, pull, 'opened')
          : giteaPullRequestEvent(world, pull, 'opened');
      Object.assign(payload['pull_request'] as object, { state: 'closed', merged: true });
      payload['action'] = 'closed';
      const run = await runAction(forge, 'pull_request_target', payload);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('::error::egress-gate:');
      expect(run.stdout).toContain('is not merged: only a merged request is delivered');
      expect(world.statuses).toEqual([]);
    });

    test('an event it does not handle fails the step with the list of events it does', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const run = await runAction(forge, 'issues', { action: 'opened' });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /::error::egress-gate: event 'issues' is not one egress-gate handles \(pull_request, .*push\)/,
      );
    });

    test('when re-evaluation fails, an earlier success on the commit is replaced by error', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      for (const reviewer of ['alice', 'bob', 'carol'])
        submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
      expect((await onReview(forge, pull, 'carol')).outputs['state']).toBe('cleared');
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');
      world.faults.push({
        match: `GET /repos/tre/egress/pulls/${pull.number}/reviews`,
        status: 403,
        remaining: 1,
      });
      const run = await onReview(forge, pull, 'carol');
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /::error::egress-gate: (GitHub|Gitea): GET reviews of pull request #1 failed \(HTTP 403\)/,
      );
      expect(latestStatus(world, pull.headSha, 'egress-gate')).toMatchObject({
        state: 'error',
        description: 'egress-gate could not evaluate this commit: see the job log.',
      });
      // The label said "cleared" too: it goes with the success.
      expect(pull.labels).not.toContain('egress:cleared');
    });

    test('many reviews that do not count still fit in one comment, and the request with three valid approvals passes', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      const padding = `'&<>"`.repeat(80);
      for (let i = 0; i < 1500; i++) {
        submitReview(world, pull, { user: `visitor-${i}`, body: `tier: 1\nLooks fine to me ${padding}` });
      }
      for (const reviewer of ['alice', 'bob', 'carol'])
        submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
      const run = await onReview(forge, pull, 'carol');
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain('::warning::');
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');
      const comment = stickyComments(world, pull)[0]!.body;
      expect(comment.length).toBeLessThanOrEqual(65_536);
      expect(comment).toMatch(/- … and \d+ more/);
      expect(comment).toContain('| report-inputs | tier 1');
    }, 60_000);

    test('a comment write that fails leaves the status as evaluated, with a warning', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      for (const reviewer of ['alice', 'bob', 'carol'])
        submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
      world.faults.push({
        match: `POST /repos/tre/egress/issues/${pull.number}/comments`,
        status: 422,
        remaining: 10,
      });
      const run = await onReview(forge, pull, 'carol');
      expect(run.code).toBe(0);
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');
      expect(run.stdout).toMatch(
        /::warning::egress-gate: the success status on [0-9a-f]{7} is set, but writing the comment on #1 failed/,
      );
      expect([...pull.labels].sort()).toEqual(['egress:cleared', 'egress:tier-1']);
    });

    test('a pull request against a branch other than the protected one gets no status and no comment', async () => {
      const world = newWorld(dialect);
      // A branch whose .egress/ the researcher controls: they made themselves every role.
      const own = baseFiles['.egress/work-packages/wp1.yaml']!.replace(/\[(alice|bob|carol)\]/g, '[mallory]');
      seedBranch(world, 'sandbox', { ...baseFiles, '.egress/work-packages/wp1.yaml': own });
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        base: 'sandbox',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      submitReview(world, pull, { user: 'mallory', body: 'tier: 0' });
      const run = await onReview(forge, pull, 'mallory');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("targets 'sandbox', not the protected branch 'main': not evaluated");
      expect(latestStatus(world, pull.headSha, 'egress-gate')).toBeUndefined();
      expect(world.comments).toEqual([]);
      expect(world.unknown).toEqual([]);
    });

    test('a push to the protected branch re-evaluates every open request against its new tip', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      const other = openPull(world, { author: 'frank', changes: { 'README.md': 'docs only\n' } });
      for (const reviewer of ['alice', 'bob', 'carol'])
        submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
      expect((await onReview(forge, pull, 'carol')).outputs['state']).toBe('cleared');
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');

      // Carol loses the referee role on the protected branch after approving.
      const before = world.branches.get('main')!;
      const after = pushToBranch(world, 'main', {
        '.egress/work-packages/wp1.yaml': baseFiles['.egress/work-packages/wp1.yaml']!.replace(
          'referee: [carol]',
          'referee: [frank]',
        ),
      });
      const event =
        dialect === 'github'
          ? githubPushEvent(world, { branch: 'main', before, after })
          : giteaPushEvent(world, { branch: 'main', before, after });
      const run = await runAction(forge, 'push', event, { inputs: { mode: 'review' } });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `Re-evaluating 2 open pull request(s) against main at ${after.slice(0, 7)}`,
      );
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('pending');
      expect([...pull.labels]).toEqual(['egress:needs-review']);
      const comment = stickyComments(world, pull)[0]!.body;
      expect(comment).toContain(`configuration from main at \`${after.slice(0, 7)}\``);
      expect(comment).toMatch(/@\u200Dcarol.*holds no role/);
      // The pull request without a request is left alone: no status, no comment.
      expect(latestStatus(world, other.headSha, 'egress-gate')).toBeUndefined();
      expect(world.comments.filter((c) => c.issue === other.number)).toEqual([]);

      // A push to any other branch changes nothing.
      seedBranch(world, 'scratch', baseFiles);
      const statuses = world.statuses.length;
      const elsewhere =
        dialect === 'github'
          ? githubPushEvent(world, { branch: 'scratch', before, after })
          : giteaPushEvent(world, { branch: 'scratch', before, after });
      const ignored = await runAction(forge, 'push', elsewhere, { inputs: { mode: 'review' } });
      expect(ignored.code).toBe(0);
      expect(ignored.stdout).toContain("not to the protected branch 'main': nothing to do");
      expect(world.statuses.length).toBe(statuses);
      expect(world.unknown).toEqual([]);
    }, 120_000);

    test('in auto mode a push goes to release first, and the open requests are re-evaluated whatever it did', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, {
        author: 'erin',
        changes: { ...requestOutputs, [requestPath]: requestManifest() },
      });
      const before = world.branches.get('main')!;
      const after = pushToBranch(world, 'main', { 'README.md': 'moved\n' });
      const event =
        dialect === 'github'
          ? githubPushEvent(world, { branch: 'main', before, after })
          : giteaPushEvent(world, { branch: 'main', before, after });
      const run = await runAction(forge, 'push', event);
      expect(run.stdout).toContain('Re-evaluating 1 open pull request(s)');
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('pending');
    }, 120_000);

    test('a pull request without a request passes quietly', async () => {
      const world = newWorld(dialect);
      await using forge = await startFakeForge(dialect, world);
      const pull = openPull(world, { author: 'erin', changes: { 'README.md': 'better docs\n' } });
      const run = await onPullEvent(forge, pull, 'opened');
      expect(run.code).toBe(0);
      expect(run.outputs).toEqual({ 'request-id': '', state: 'no-request', tier: '' });
      expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');
      expect(world.comments).toEqual([]);
      expect(pull.labels).toEqual([]);
    });

    test.runIf(dialect === 'github')(
      'a dismissed approval (pull_request_review.dismissed) takes the clearance back',
      async () => {
        const world = newWorld(dialect);
        await using forge = await startFakeForge(dialect, world);
        const pull = openPull(world, {
          author: 'erin',
          changes: { ...requestOutputs, [requestPath]: requestManifest() },
        });
        for (const reviewer of ['alice', 'bob', 'carol'])
          submitReview(world, pull, { user: reviewer, body: 'tier: 1' });
        expect((await onReview(forge, pull, 'carol')).outputs['state']).toBe('cleared');
        pull.reviews.find((r) => r.user === 'bob')!.dismissed = true;
        const run = await runAction(
          forge,
          'pull_request_review',
          githubReviewEvent(world, pull, 'dismissed', 'bob'),
        );
        expect(run.outputs['state']).toBe('awaiting-review');
        expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('pending');
        expect(pull.labels).toEqual(['egress:needs-review']);
        expect(stickyComments(world, pull)[0]!.body).toMatch(/@\u200Dbob.*dismissed/);
      },
    );
  });
}
