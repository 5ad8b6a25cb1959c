import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderComment } from '../../action/src/action/report.js';
import { reviewPullRequest } from '../../action/src/app/review.js';
import type { Forge } from '../../action/src/forge/forge.js';
import { createGiteaForge } from '../../action/src/forge/gitea/gitea-forge.js';
import { createGithubForge } from '../../action/src/forge/github/github-forge.js';
import { baseFiles, requestManifest, requestOutputs, requestPath } from '../action/fixture-repo.js';
import { commit, createWorld, type FakeWorld } from '../fake-forge/model.js';
import { mergePull, openPull, push, pushToBranch, seedBranch, submitReview } from '../fake-forge/scenario.js';
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
      changes: {
        ...requestOutputs,
        [requestPath]: requestManifest(),
        'requests/other.yaml': requestManifest(),
      },
      reason: /more than one request \(requests\/other\.yaml, requests\/wp1-2026-report\.yaml\)/,
    },
    {
      name: 'a request with a workflow change',
      changes: {
        ...requestOutputs,
        [requestPath]: requestManifest(),
        '.github/workflows/egress-review.yml': 'on: push\n',
      },
      reason: /trusted configuration \(\.github\/workflows\/egress-review\.yml\)/,
    },
    {
      name: 'a request with a CODEOWNERS change',
      changes: { ...requestOutputs, [requestPath]: requestManifest(), '.github/CODEOWNERS': '* @erin\n' },
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
    const merged = commit(w, w.branches.get('main'), { ...requestOutputs, [requestPath]: requestManifest() });
    w.branches.set('main', merged);
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest('Changed after delivery') },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome.state).toBe('refused');
    expect(outcome.refusals).toEqual([
      expect.stringContaining(`${requestPath} already exists on the protected branch`),
    ]);
  });

  test.each([
    ['.yml', '.yaml'],
    ['.yaml', '.yml'],
  ])(
    'a delivered id stays delivered whatever its spelling (delivered as %s, reused as %s)',
    async (delivered, reused) => {
      const w = world();
      const id = 'wp1-2026-report';
      const pull = openPull(w, {
        author: 'erin',
        changes: { ...requestOutputs, [`requests/${id}${reused}`]: requestManifest() },
      });
      for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
      // Since this pull request was opened, another one with the same id was merged (so delivered).
      const other = openPull(w, {
        author: 'frank',
        changes: { [`requests/${id}${delivered}`]: requestManifest() },
      });
      mergePull(w, other, { by: 'dora' });
      await using fake = await startFakeForge(dialect, w);
      const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
      expect(outcome).toMatchObject({ state: 'refused', passed: false });
      expect(outcome.refusals).toEqual([
        expect.stringContaining(
          `requests/${id}${reused} re-uses the id '${id}' of requests/${id}${delivered}`,
        ),
      ]);
    },
  );

  test("trusted configuration is read at the protected branch's tip: a role holder removed there no longer counts", async () => {
    const w = world();
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest() },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const forge = adapter(dialect, fake.apiUrl, w);
    expect((await reviewPullRequest(forge, pull.number, options)).state).toBe('cleared');
    // After approving, carol loses the referee role on the protected branch.
    const tip = pushToBranch(w, 'main', {
      '.egress/work-packages/wp1.yaml': baseFiles['.egress/work-packages/wp1.yaml']!.replace(
        'referee: [carol]',
        'referee: [frank]',
      ),
    });
    const outcome = await reviewPullRequest(forge, pull.number, options);
    // GitHub still reports the base commit recorded at opening; the tip is what counts.
    if (dialect === 'github') expect(outcome.pull.baseSha).not.toBe(tip);
    expect(outcome.trustedSha).toBe(tip);
    expect(outcome).toMatchObject({ state: 'awaiting-review', passed: false });
    expect(outcome.result?.collections[0]?.ignored.map((i) => [i.user, i.reason])).toContainEqual([
      'carol',
      'no-role',
    ]);
    expect(renderComment(outcome, { forge: dialect })).toContain(
      `configuration from main at \`${tip.slice(0, 7)}\``,
    );
  });

  test('pins are verified through the forge at the head commit when the outputs are not on the runner', async () => {
    const w = world();
    const big = `${'x'.repeat(1024 * 1024)}\nend\n`;
    const bigPin = { sha256: createHash('sha256').update(big).digest('hex'), size: Buffer.byteLength(big) };
    const manifest = `${requestManifest()}      - path: report/big.txt\n        sha256: ${bigPin.sha256}\n        size: ${bigPin.size}\n`;
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, 'outputs/report/big.txt': big, [requestPath]: manifest },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const forge = adapter(dialect, fake.apiUrl, w);
    const cleared = await reviewPullRequest(forge, pull.number, options);
    expect(cleared.diagnostics).toEqual([]);
    expect(cleared).toMatchObject({ state: 'cleared', passed: true });
    expect(cleared.notes.join('\n')).toContain(`files at the head commit ${pull.headSha.slice(0, 7)}`);
    // Over 1 MB GitHub's contents API carries no bytes: the blob is streamed from the git data API.
    const fetched = w.calls.filter((c) => c.path.includes(dialect === 'github' ? '/git/blobs/' : '/media/'));
    expect(fetched.length).toBeGreaterThan(0);

    // The researcher edits an output after the approvals and after locking: the pin no longer holds.
    push(w, pull, { 'outputs/report/summary.md': '# Summary\n\nChanged.\n' });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    const changed = await reviewPullRequest(forge, pull.number, options);
    expect(changed).toMatchObject({ state: 'invalid', passed: false });
    expect(changed.diagnostics.map((d) => [d.code, d.line > 0])).toEqual([['hash-mismatch', true]]);

    // An output that is not committed at all.
    push(w, pull, { 'outputs/report/summary.md': null });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    const missing = await reviewPullRequest(forge, pull.number, options);
    expect(missing).toMatchObject({ state: 'invalid', passed: false });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['missing-file']);
    expect(renderComment(missing, { forge: dialect })).toContain('is not a file at the head commit');
  });

  test('a file the forge refuses to serve is reported at its item, and the request does not pass', async () => {
    const w = world();
    const big = `${'y'.repeat(1024 * 1024)}\n`;
    const pin = { sha256: createHash('sha256').update(big).digest('hex'), size: Buffer.byteLength(big) };
    const manifest = requestManifest().replace(
      /path: report\/summary\.md\n\s+sha256: [0-9a-f]{64}\n\s+size: \d+/,
      `path: report/big.txt\n        sha256: ${pin.sha256}\n        size: ${pin.size}`,
    );
    const pull = openPull(w, {
      author: 'erin',
      changes: { 'outputs/report/big.txt': big, [requestPath]: manifest },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    // GitHub answers 403 "too_large" for blobs over 100 MB; modelled here for both forges.
    w.faults.push({
      match: dialect === 'github' ? 'GET /repos/tre/egress/git/blobs/' : 'GET /repos/tre/egress/media/',
      status: 403,
      remaining: 5,
    });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome).toMatchObject({ state: 'invalid', passed: false });
    expect(outcome.diagnostics.map((d) => [d.code, d.line > 0])).toEqual([['pin-not-verified', true]]);
    expect(outcome.diagnostics[0]!.message).toContain("'outputs-root'");
  });

  test('an item without sha256/size never clears', async () => {
    const w = world();
    const unpinned = requestManifest().replace(/\n\s+sha256: [0-9a-f]{64}\n\s+size: \d+/, '');
    expect(unpinned).not.toContain('sha256');
    const pull = openPull(w, { author: 'erin', changes: { ...requestOutputs, [requestPath]: unpinned } });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome).toMatchObject({ state: 'invalid', passed: false });
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['unpinned-item']);
  });

  test('a forge that cannot stream files never lets pins pass unverified', async () => {
    const w = world();
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest() },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const { openFileAt: _dropped, ...withoutStreams } = adapter(dialect, fake.apiUrl, w);
    const outcome = await reviewPullRequest(withoutStreams as Forge, pull.number, options);
    expect(outcome).toMatchObject({ state: 'invalid', passed: false });
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['pins-not-verified']);
  });

  test('an incomplete list of changed files is refused, not judged', async () => {
    const w = createWorld({ fileListLimit: 20 });
    seedBranch(w, 'main', baseFiles);
    const changes: Record<string, string> = { ...requestOutputs, [requestPath]: requestManifest() };
    for (let i = 0; i < 30; i++) changes[`notes/n-${String(i).padStart(2, '0')}.md`] = `${i}`;
    // Sorted last, so it is among the files GitHub does not list.
    changes['zz/.egress-note'] = 'x';
    const pull = openPull(w, { author: 'erin', changes });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    if (dialect === 'github') {
      expect(outcome).toMatchObject({ state: 'refused', passed: false });
      expect(outcome.refusals).toEqual([expect.stringContaining('listed only 20 of the 33 files')]);
    } else {
      // Gitea lists every file: the list is complete and the request is judged.
      expect(outcome).toMatchObject({ state: 'cleared', passed: true });
    }
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
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest() },
    });
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
      changes: {
        ...requestOutputs,
        [requestPath]: requestManifest(),
        '.egress/work-packages/wp1.yaml': widened,
      },
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

  test('a policy with a blocking disclosure rule: without the outputs on the runner, the request does not clear', async () => {
    const turing = await readFile(new URL('../../policies/turing-dsh.yaml', import.meta.url), 'utf8');
    const w = createWorld();
    seedBranch(w, 'main', {
      ...baseFiles,
      '.egress/config.yaml': baseFiles['.egress/config.yaml']!.replace(
        /^policy: .*$/m,
        'policy: .egress/strict.yaml',
      ),
      '.egress/strict.yaml': turing
        .replace(/^name: .*$/m, 'name: strict')
        .replace('small-cell: { severity: advice', 'small-cell: { severity: blocking'),
    });
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest() },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, options);
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome).toMatchObject({ state: 'blocked', passed: false });
    expect(outcome.result?.collections[0]?.reasons.join('\n')).toContain(
      "policy strict makes rule 'small-cell' blocking, and the outputs were not scanned here",
    );
  });

  test('with the outputs on the runner matching their pins, the request clears: the scan that reads them checks the pins', async () => {
    const w = world();
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest() },
    });
    for (const r of ['alice', 'bob', 'carol']) submitReview(w, pull, { user: r, body: 'tier: 1' });
    await using fake = await startFakeForge(dialect, w);
    const outputs = await mkdtemp(join(tmpdir(), 'egress-review-outputs-'));
    try {
      await mkdir(join(outputs, 'report'));
      await writeFile(join(outputs, 'report/summary.md'), requestOutputs['outputs/report/summary.md']!);
      const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, {
        ...options,
        outputsDir: outputs,
      });
      expect(outcome.diagnostics).toEqual([]);
      expect(outcome).toMatchObject({ state: 'cleared', passed: true });
      // One byte more and the same review fails on the pin's size and hash.
      await writeFile(join(outputs, 'report/summary.md'), `${requestOutputs['outputs/report/summary.md']!} `);
      const changed = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, {
        ...options,
        outputsDir: outputs,
      });
      expect(changed.diagnostics.map((d) => d.code).sort()).toEqual(['hash-mismatch']);
      expect(changed).toMatchObject({ state: 'invalid', passed: false });
    } finally {
      await rm(outputs, { recursive: true, force: true });
    }
  });

  test('with the outputs on the runner, a pinned file the disclosure scan does not read (a generation script) is still verified', async () => {
    const script = 'print("synthetic")\n';
    const manifest = requestManifest()
      .replace('kind: report', 'kind: generated-dataset')
      .replace(
        '    items:\n',
        [
          '    generation:',
          '      method: synthetic',
          `      script: {path: code/make.py, sha256: ${'ab'.repeat(32)}, size: ${script.length}}`,
          '      justification: Synthetic.',
          '      structure: One text file.',
          '      targetTier: 0',
          '    items:\n',
        ].join('\n'),
      );
    const w = world();
    const pull = openPull(w, { author: 'erin', changes: { ...requestOutputs, [requestPath]: manifest } });
    await using fake = await startFakeForge(dialect, w);
    const outputs = await mkdtemp(join(tmpdir(), 'egress-review-outputs-'));
    try {
      await mkdir(join(outputs, 'report'));
      await mkdir(join(outputs, 'code'));
      await writeFile(join(outputs, 'report/summary.md'), requestOutputs['outputs/report/summary.md']!);
      await writeFile(join(outputs, 'code/make.py'), script);
      const outcome = await reviewPullRequest(adapter(dialect, fake.apiUrl, w), pull.number, {
        ...options,
        outputsDir: outputs,
      });
      const mismatches = outcome.diagnostics.filter((d) => d.code === 'hash-mismatch');
      expect(mismatches.map((d) => d.message)).toEqual([expect.stringContaining('code/make.py')]);
      expect(outcome.passed).toBe(false);
    } finally {
      await rm(outputs, { recursive: true, force: true });
    }
  });

  test('with the outputs on the runner, pins are checked and disclosure risks are reported for the reviewers', async () => {
    const w = world();
    const pull = openPull(w, {
      author: 'erin',
      changes: { ...requestOutputs, [requestPath]: requestManifest() },
    });
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
