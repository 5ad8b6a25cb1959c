import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderComment } from '../../action/src/action/report.js';
import { reviewPullRequest } from '../../action/src/app/review.js';
import type { Forge } from '../../action/src/forge/forge.js';
import { createGiteaForge } from '../../action/src/forge/gitea/gitea-forge.js';
import { createGithubForge } from '../../action/src/forge/github/github-forge.js';
import { baseFiles, requestManifest, requestPath } from '../action/fixture-repo.js';
import { commit, createWorld, type FakeWorld } from '../fake-forge/model.js';
import { openPull, seedBranch, submitReview } from '../fake-forge/scenario.js';
import { type Dialect, startFakeForge } from '../fake-forge/server.js';

/** Review mode in-process over both adapters: which pull requests are refused, and why. */
function adapter(dialect: Dialect, apiUrl: string, w: FakeWorld): Forge {
  const repo = { owner: w.owner, repo: w.repo };
  return dialect === 'github'
    ? createGithubForge({ apiUrl, token: w.token, repo, retries: 0, throttle: false })
    : createGiteaForge({ apiUrl, token: w.token, repo, retries: 0 });
}

function world(): FakeWorld {
  const w = createWorld();
  seedBranch(w, 'main', baseFiles);
  return w;
}

const options = { configDir: '.egress' };

describe.each(['github', 'gitea'] as const)('review mode on %s', (dialect) => {
  test.each<{ name: string; changes: Record<string, string>; reason: RegExp }>([
    {
      name: 'two requests in one pull request',
      changes: { [requestPath]: requestManifest(), 'requests/other.yaml': requestManifest() },
      reason: /more than one request \(requests\/other\.yaml, requests\/wp1-2026-report\.yaml\)/,
    },
    {
      name: 'a request with a workflow change',
      changes: { [requestPath]: requestManifest(), '.github/workflows/egress-review.yml': 'on: push\n' },
      reason: /trusted configuration \(\.github\/workflows\/egress-review\.yml\)/,
    },
    {
      name: 'a request with a CODEOWNERS change',
      changes: { [requestPath]: requestManifest(), '.github/CODEOWNERS': '* @erin\n' },
      reason: /trusted configuration \(\.github\/CODEOWNERS\)/,
    },
  ])('refuses $name', async ({ changes, reason }) => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome.state).toBe('refused');
    expect(outcome.passed).toBe(false);
    expect(outcome.refusals.join('\n')).toMatch(reason);
  });

  test('refuses a change to a request that is already on the base branch (delivered)', async () => {
    const w = world();
    const merged = commit(w, w.branches.get('main'), { [requestPath]: requestManifest() });
    w.branches.set('main', merged);
    const pull = openPull(w, {
      author: 'erin',
      changes: { [requestPath]: requestManifest('Changed after delivery') },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome.state).toBe('refused');
    expect(outcome.refusals).toEqual([
      expect.stringContaining(`${requestPath} already exists on the base branch`),
    ]);
  });

  test('a pull request without a request passes without evaluation', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { 'README.md': 'docs\n' } });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome).toMatchObject({ state: 'no-request', passed: true, refusals: [] });
  });

  test('an invalid manifest is reported at file:line, not evaluated as passing', async () => {
    const w = world();
    const broken = requestManifest().replace('destination: researcher-disk', 'destination: email-to-me');
    const pull = openPull(w, { author: 'erin', changes: { [requestPath]: broken } });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome.state).toBe('invalid');
    expect(outcome.passed).toBe(false);
    const d = outcome.diagnostics.find((x) => x.severity === 'error');
    expect(d).toMatchObject({ file: requestPath, line: expect.any(Number) });
    expect(d!.line).toBeGreaterThan(0);
  });

  test('a dismissed approval does not count (Gitea keeps its APPROVED state)', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { [requestPath]: requestManifest() } });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    pull.reviews.find((r) => r.user === 'carol')!.dismissed = true;
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome.state).toBe('awaiting-review');
    expect(outcome.result?.collections[0]?.classifications.map((c) => c.user)).toEqual(['alice', 'bob']);
  });

  test('trusted configuration comes from the base commit even when the head changes it', async () => {
    const w = world();
    const widened = baseFiles['.egress/work-packages/wp1.yaml']!.replace(
      'referee: [carol]',
      'referee: [mallory]',
    );
    const pull = openPull(w, {
      author: 'erin',
      changes: { [requestPath]: requestManifest(), '.egress/work-packages/wp1.yaml': widened },
    });
    for (const r of ['alice', 'bob', 'mallory']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    const configReads = w.calls.filter(
      (c) => c.path.includes('/contents/') && decodeURIComponent(c.path).includes('.egress/'),
    );
    expect(configReads.length).toBeGreaterThan(0);
    expect(configReads.every((c) => c.query === `ref=${pull.baseSha}`)).toBe(true);
    expect(outcome.result?.collections[0]?.classifications.map((c) => c.user)).toEqual(['alice', 'bob']);
    expect(outcome.result?.collections[0]?.ignored.map((i) => [i.user, i.reason])).toContainEqual([
      'mallory',
      'no-role',
    ]);
  });

  test('with the outputs on the runner, pins are checked and disclosure risks are reported for the reviewers', async () => {
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { [requestPath]: requestManifest() } });
    await using fake = await startFakeForge(dialect, w);
    const outputs = await mkdtemp(join(tmpdir(), 'egress-review-outputs-'));
    try {
      await mkdir(join(outputs, 'report'));
      await writeFile(join(outputs, 'report/summary.md'), '# Summary\nContact jane.doe@example.org\n');
      const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, {
        ...options,
        outputsDir: outputs,
      });
      expect(outcome.diagnostics.map((d) => d.code)).toContain('hash-mismatch');
      expect(outcome.findings?.flatMap((c) => c.findings.map((f) => [f.file, f.line, f.rule]))).toEqual([
        ['report/summary.md', 2, 'email-address'],
      ]);
      const comment = renderComment(outcome, { forge: dialect });
      expect(comment).toContain('Disclosure-risk findings (advisory');
      expect(comment).toContain(
        '- `report/summary.md` — 1 finding\n  - `:2:9` email-address (advice · inferred)',
      );
      expect(comment).not.toContain('jane.doe@example.org');
    } finally {
      await rm(outputs, { recursive: true, force: true });
    }
  });
});
