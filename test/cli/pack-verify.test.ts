import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../action/src/cli/command.js';
import { runCli } from '../../action/src/cli/run.js';
import { createSchemaValidators } from '../../action/src/manifest/schema.js';
import { makeGnupgHome, makeTempDir, makeTestKey, runTool, sha256 } from '../pack/pack-fixtures.js';

const examples = new URL('../../examples', import.meta.url).pathname;
const manifest = 'requests/dsg-2026-03-final-outputs.yaml';
const merged = 'reviews/dsg-2026-03-final-outputs.merged.yaml';
const head = '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e';
const reportPackage = 'dsg-2026-03-final-outputs-report-inputs.tar.gpg';
const handoverPackage = 'dsg-2026-03-final-outputs-data-provider-handover.tar.gpg';
const exists = (p: string) =>
  readdir(p).then(
    () => true,
    () => false,
  );
const passphrase = 'a long signing passphrase';

async function run(argv: string[], cwd: string, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    cwd,
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** The example repository with throwaway keys in place of its public ones. */
async function makeRepo(dir: string) {
  const repo = path.join(dir, 'repo');
  await cp(examples, repo, { recursive: true });
  const [investigator, provider, signer, stranger] = await Promise.all([
    makeTestKey('Investigator'),
    makeTestKey('Provider'),
    makeTestKey('Egress', passphrase),
    makeTestKey('Stranger'),
  ]);
  const keys = path.join(repo, '.egress/keys');
  await writeFile(path.join(keys, 'investigator.asc'), investigator.publicArmored);
  await writeFile(path.join(keys, 'data-provider.asc'), provider.publicArmored);
  await writeFile(path.join(keys, 'egress-signing.asc'), signer.publicArmored);
  const secrets = path.join(dir, 'secrets');
  await cp(keys, secrets, { recursive: true });
  await writeFile(path.join(secrets, 'signing-secret.asc'), signer.secretArmored);
  await writeFile(path.join(secrets, 'signing-pass.txt'), `${passphrase}\n`);
  await writeFile(path.join(secrets, 'investigator-secret.asc'), investigator.secretArmored);
  await writeFile(path.join(secrets, 'provider-secret.asc'), provider.secretArmored);
  await writeFile(path.join(secrets, 'stranger.asc'), stranger.publicArmored);
  await writeFile(path.join(secrets, 'stranger-secret.asc'), stranger.secretArmored);
  return { repo, secrets, investigator, provider, signer, stranger };
}

/**
 * The handover classified tier 2 by all three roles, with the discussion (a treatment per item,
 * the derived dataset removed) and the provider's notification the policy requires.
 */
async function writeTier2Request(repo: string) {
  const manifestPath = path.join(repo, manifest);
  const items = [
    'report/figures/admissions-by-region.svg',
    'report/figures/weekly-trend.svg',
    'report/tables/table-1.csv',
    'report/text/findings.md',
    'code/aggregate.py',
    'code/plot.py',
  ];
  const record = [
    '    discussion:',
    '      date: 2026-03-20',
    '      attendees:',
    '        - { user: alice, role: investigator }',
    '        - { user: bob, role: data-provider-representative }',
    '        - { user: carol, role: referee }',
    '      outcome: agreed',
    '      treatments:',
    ...items.map((item) => `        - { path: ${item}, treatment: aggregate }`),
    '        - { path: derived/admissions-by-week.csv, treatment: remove }',
    '    providerNotification:',
    '      reference: TRUST-2026-17',
    '      date: 2026-03-21',
  ].join('\n');
  const text = await readFile(manifestPath, 'utf8');
  await writeFile(
    manifestPath,
    text.replace('    destination: provider-disk\n', `    destination: provider-disk\n${record}\n`),
  );
  const body = 'tier report-inputs: 1\n      tier data-provider-handover: 2';
  const reviews = ['alice', 'bob', 'carol']
    .map(
      (user) => `  - user: ${user}\n    state: APPROVED\n    commit: 5f3c9e1\n    body: |\n      ${body}\n`,
    )
    .join('');
  await writeFile(
    path.join(repo, 'reviews/tier-2.yaml'),
    `author: erin\nhead: ${head}\nmerger: dora\nreviews:\n${reviews}`,
  );
}

const packArgs = (secrets: string, out: string, reviews = merged) => [
  'pack',
  manifest,
  '--reviews',
  reviews,
  '--out',
  out,
  '--signing-key',
  path.join(secrets, 'signing-secret.asc'),
  '--passphrase-file',
  path.join(secrets, 'signing-pass.txt'),
];

describe('egress-gate pack and verify', () => {
  it('packs every collection of a passing request, and the recipient verifies and extracts it', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets, investigator, provider, signer } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    const packed = await run([...packArgs(secrets, out), '--json'], repo, {
      SOURCE_DATE_EPOCH: '1767225600',
    });
    expect(packed.stderr).toBe('');
    expect(packed.code).toBe(0);
    const result = JSON.parse(packed.stdout);
    expect(result.passed).toBe(true);
    expect(result.packages.map((p: { file: string }) => p.file)).toEqual([
      'dsg-2026-03-final-outputs-report-inputs.tar.gpg',
      'dsg-2026-03-final-outputs-data-provider-handover.tar.gpg',
    ]);
    expect(result.packages[0].recipients).toEqual([investigator.fingerprint]);
    expect(result.packages[1].recipients).toEqual([investigator.fingerprint, provider.fingerprint]);
    expect(result.packages[0].signer).toBe(signer.fingerprint);
    expect(packed.stdout).not.toContain(passphrase);
    expect((await readdir(out)).sort()).toEqual(result.packages.map((p: { file: string }) => p.file).sort());

    const received = path.join(tmp.dir, 'received');
    const verified = await run(
      [
        'verify',
        path.join(out, 'dsg-2026-03-final-outputs-data-provider-handover.tar.gpg'),
        '--key',
        path.join(secrets, 'provider-secret.asc'),
        '--signer',
        path.join(secrets, 'egress-signing.asc'),
        '--out',
        received,
      ],
      tmp.dir,
    );
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`signed by ${signer.fingerprint}`);
    expect(verified.stdout).toContain('11 files match SHA256SUMS and RECEIPT.json');
    const extracted = path.join(received, 'dsg-2026-03-final-outputs-data-provider-handover');
    expect(await runTool('sha256sum', ['-c', 'SHA256SUMS'], extracted)).toContain('files/code/plot.py: OK');
    const receipt = JSON.parse(await readFile(path.join(extracted, 'RECEIPT.json'), 'utf8'));
    expect(receipt).toMatchObject({
      request: { id: 'dsg-2026-03-final-outputs', workPackage: 'dsg-2026-03', requester: 'erin' },
      collection: { name: 'data-provider-handover', kind: 'derived-dataset', destination: 'provider-disk' },
      tier: 1,
      signer: signer.fingerprint,
      createdAt: '2026-01-01T00:00:00Z',
      commit: head,
      merger: 'dora',
      passphrase: false,
      evidence: {
        source: 'reviews-file',
        path: merged,
        sha256: sha256(await readFile(path.join(repo, merged))),
      },
    });
    // Each counted classification: who, which review, and the full id of the commit it approved
    // (the reviews file abbreviates it for alice and bob).
    expect(receipt.classifications).toEqual([
      { role: 'investigator', user: 'alice', tier: 1, reviewId: '3', commit: head },
      { role: 'data-provider-representative', user: 'bob', tier: 1, reviewId: '4', commit: head },
      { role: 'referee', user: 'carol', tier: 1, reviewId: '5', commit: head },
    ]);
    expect(createSchemaValidators().validate('receipt', receipt)).toEqual([]);
    expect(await readFile(path.join(extracted, 'files/code/plot.py'))).toEqual(
      await readFile(path.join(repo, 'outputs/code/plot.py')),
    );
  });

  it('gives a byte-identical tar stream for the same inputs (GnuPG decrypts both)', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const { repo, secrets, investigator, signer } = await makeRepo(tmp.dir);
    await gnupg.importKey(investigator.secretArmored);
    await gnupg.importKey(signer.publicArmored);
    const tars: string[] = [];
    for (const name of ['first', 'second']) {
      const out = path.join(tmp.dir, name);
      const packed = await run(packArgs(secrets, out), repo, { SOURCE_DATE_EPOCH: '1767225600' });
      expect(packed.code).toBe(0);
      const tarPath = path.join(tmp.dir, `${name}.tar`);
      await gnupg.gpg([
        '--output',
        tarPath,
        '--decrypt',
        path.join(out, 'dsg-2026-03-final-outputs-report-inputs.tar.gpg'),
      ]);
      tars.push(sha256(await readFile(tarPath)));
    }
    expect(tars[1]).toBe(tars[0]);
  });

  it('refuses, with exit code 1 and nothing extracted, a package signed by someone else’s key', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    expect((await run(packArgs(secrets, out), repo)).code).toBe(0);
    const received = path.join(tmp.dir, 'received');
    const verified = await run(
      [
        'verify',
        path.join(out, 'dsg-2026-03-final-outputs-report-inputs.tar.gpg'),
        '--key',
        path.join(secrets, 'investigator-secret.asc'),
        '--signer',
        path.join(secrets, 'stranger.asc'),
        '--out',
        received,
      ],
      tmp.dir,
    );
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(/^egress-gate verify: .*which is not the egress signer [0-9A-F]{40}/);
    expect(await readdir(received)).toEqual([]);
  });

  it('asks for --passphrase-file when the signing key is protected, without printing secrets', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const args = packArgs(secrets, path.join(tmp.dir, 'packages')).slice(0, -2);
    const packed = await run(args, repo);
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain('is protected by a passphrase; pass --passphrase-file <file>');
    expect(packed.stderr).not.toContain('BEGIN PGP');
  });

  it('at tier 2 leaves out removed items and encrypts to the data provider only', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets, provider } = await makeRepo(tmp.dir);
    await writeTier2Request(repo);

    const out = path.join(tmp.dir, 'packages');
    const packed = await run([...packArgs(secrets, out, 'reviews/tier-2.yaml'), '--json'], repo);
    expect(packed.stderr).toBe('');
    expect(packed.code).toBe(0);
    const handover = JSON.parse(packed.stdout).packages[1];
    expect(handover).toMatchObject({ collection: 'data-provider-handover', tier: 2, files: 6 });
    expect(handover.recipients).toEqual([provider.fingerprint]);

    const verify = (key: string, received: string) =>
      run(
        [
          'verify',
          handover.path,
          '--key',
          path.join(secrets, key),
          '--signer',
          path.join(secrets, 'egress-signing.asc'),
          '--out',
          path.join(tmp.dir, received),
          '--json',
        ],
        tmp.dir,
      );
    const byInvestigator = await verify('investigator-secret.asc', 'investigator');
    expect(byInvestigator.code).toBe(1);
    expect(byInvestigator.stderr).toContain('this package is not encrypted to your key');
    const byProvider = await verify('provider-secret.asc', 'provider');
    expect(byProvider.code).toBe(0);
    const result = JSON.parse(byProvider.stdout);
    expect(result.receipt.excluded).toEqual(['derived/admissions-by-week.csv']);
    expect(result.receipt.files.map((f: { path: string }) => f.path)).not.toContain(
      'derived/admissions-by-week.csv',
    );
    const extracted = path.join(tmp.dir, 'provider/dsg-2026-03-final-outputs-data-provider-handover/files');
    expect((await readdir(extracted)).sort()).toEqual(['code', 'report']);
    // The full record: the discussion with every treatment, and the provider's notification.
    expect(result.receipt).toMatchObject({
      tier: 2,
      passphrase: false,
      merger: 'dora',
      commit: head,
      discussion: {
        date: '2026-03-20',
        outcome: 'agreed',
        attendees: [
          { user: 'alice', role: 'investigator' },
          { user: 'bob', role: 'data-provider-representative' },
          { user: 'carol', role: 'referee' },
        ],
      },
      providerNotification: { reference: 'TRUST-2026-17', date: '2026-03-21' },
    });
    expect(result.receipt.discussion.treatments).toContainEqual({
      path: 'derived/admissions-by-week.csv',
      treatment: 'remove',
    });
    expect(result.receipt.discussion.treatments).toHaveLength(7);
    expect(createSchemaValidators().validate('receipt', result.receipt)).toEqual([]);
  });
});

/** Reviews of the example request, with a header of our choosing. */
async function writeReviews(repo: string, name: string, header: string) {
  const text = await readFile(path.join(repo, merged), 'utf8');
  const reviews = text.slice(text.indexOf('reviews:\n'));
  await writeFile(path.join(repo, 'reviews', name), `${header}\n${reviews}`);
  return `reviews/${name}`;
}

/** What a user must never see: a stack trace. */
const stackTrace = /\n\s+at .+\(|\bat async\b|node:internal/;

describe('egress-gate pack: the request decides (issue 9 item 8)', () => {
  it('writes nothing when the merger does not hold the releasing role, and says so in text and --json', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const reviews = await writeReviews(
      repo,
      'merged-by-carol.yaml',
      `author: erin\nhead: ${head}\nmerger: carol`,
    );
    const out = path.join(tmp.dir, 'packages');
    const text = await run(packArgs(secrets, out, reviews), repo);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('the request does not pass; nothing was packed:');
    expect(text.stdout).toContain(
      '@carol merged the pull request but is not a system manager in work package dsg-2026-03 (system manager: @dora): nothing may be delivered',
    );
    expect(text.stdout).not.toContain('packed report-inputs');
    expect(await exists(out)).toBe(false);

    const json = await run([...packArgs(secrets, out, reviews), '--json'], repo);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result.passed).toBe(false);
    expect(result.packages).toEqual([]);
    expect(result.reasons.join('\n')).toContain('@carol merged the pull request but is not a system manager');
    expect(await exists(out)).toBe(false);
  });

  it('writes nothing when one collection is not cleared, even though the other is', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const discussion = await readFile(
      path.join(repo, 'reviews/dsg-2026-03-final-outputs.needs-discussion.yaml'),
      'utf8',
    );
    await writeFile(
      path.join(repo, 'reviews/discussion-merged.yaml'),
      discussion.replace('head: 5f3c9e1\n', `head: ${head}\nmerger: dora\n`),
    );
    const out = path.join(tmp.dir, 'packages');
    const packed = await run([...packArgs(secrets, out, 'reviews/discussion-merged.yaml'), '--json'], repo);
    expect(packed.code).toBe(1);
    const result = JSON.parse(packed.stdout);
    expect(result.packages).toEqual([]);
    expect(
      result.skipped.map((s: { collection: string; state: string }) => `${s.collection}:${s.state}`),
    ).toEqual(['data-provider-handover:needs-discussion']);
    expect(result.reasons).toContain(
      'collection data-provider-handover is needs-discussion, not cleared: the request passes only when every collection is cleared',
    );
    expect(await exists(out)).toBe(false);
  });

  it('needs the merger and the full head commit, which the receipt records', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    const cleared = 'reviews/dsg-2026-03-final-outputs.cleared.yaml';
    const noMerger = await run(packArgs(secrets, out, cleared), repo);
    expect(noMerger.code).toBe(1);
    expect(noMerger.stdout).toContain('no merger is given');
    const short = await writeReviews(repo, 'short-head.yaml', 'author: erin\nhead: 5f3c9e1\nmerger: dora');
    const abbreviated = await run(packArgs(secrets, out, short), repo);
    expect(abbreviated.code).toBe(1);
    expect(abbreviated.stdout).toContain("the head commit '5f3c9e1' is abbreviated");
    expect(await exists(out)).toBe(false);
  });
});

describe('egress-gate pack: the configured signing key only (issue 9 item 5)', () => {
  it('refuses another signing key, naming the fingerprint it expected', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets, signer, stranger } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    const args = packArgs(secrets, out).slice(0, -4);
    const packed = await run(
      [...args, '--signing-key', path.join(secrets, 'stranger-secret.asc'), '--json'],
      repo,
    );
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain(`the signing key ${stranger.fingerprint} is not the egress signing key`);
    expect(packed.stderr).toContain(`.egress/keys/egress-signing.asc, fingerprint ${signer.fingerprint}`);
    expect(JSON.parse(packed.stdout).error.code).toBe('CONFIG');
    expect(await exists(out)).toBe(false);
  });

  it('validate reports a signingKey that names no key file, at its line and column', async () => {
    await using tmp = await makeTempDir();
    const { repo } = await makeRepo(tmp.dir);
    const config = path.join(repo, '.egress/config.yaml');
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace(
        'signingKey: egress-signing.asc',
        'signingKey: egress-signer.asc',
      ),
    );
    const validated = await run(['validate', manifest], repo);
    expect(validated.code).toBe(2);
    expect(validated.stderr).toContain(
      ".egress/config.yaml:5:13: unknown-key: signingKey 'egress-signer.asc' is not in .egress/keys/",
    );
  });

  it('refuses to pack when the configuration names no signing key', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const config = path.join(repo, '.egress/config.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(/^signingKey:.*\n/m, ''));
    const packed = await run(packArgs(secrets, path.join(tmp.dir, 'packages')), repo);
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain("names no egress signing key: add 'signingKey: <file>'");
  });
});

describe('egress-gate pack: a passphrase never opens a tier ≥ 2 package (issue 9 item 6)', () => {
  it('refuses --package-passphrase-file at tier 2 and writes nothing', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    await writeTier2Request(repo);
    await writeFile(path.join(secrets, 'package-pass.txt'), 'a shared secret\n');
    const out = path.join(tmp.dir, 'packages');
    const packed = await run(
      [
        ...packArgs(secrets, out, 'reviews/tier-2.yaml'),
        '--package-passphrase-file',
        path.join(secrets, 'package-pass.txt'),
      ],
      repo,
    );
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain(
      "a package passphrase cannot be used: 'data-provider-handover' (tier 2) must open with the data provider's keys only",
    );
    expect(packed.stderr).not.toContain('a shared secret');
    expect(await exists(out)).toBe(false);
  });

  it('at tier 1 records the passphrase in the receipt, and GnuPG opens the package with it', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const { repo, secrets, signer } = await makeRepo(tmp.dir);
    await gnupg.importKey(signer.publicArmored);
    await writeFile(path.join(secrets, 'package-pass.txt'), 'a shared secret\n');
    const out = path.join(tmp.dir, 'packages');
    const packed = await run(
      [
        ...packArgs(secrets, out),
        '--package-passphrase-file',
        path.join(secrets, 'package-pass.txt'),
        '--json',
      ],
      repo,
    );
    expect(packed.code).toBe(0);
    const result = JSON.parse(packed.stdout);
    expect(result.packages.map((p: { passphrase: boolean }) => p.passphrase)).toEqual([true, true]);
    const tarPath = path.join(tmp.dir, 'report.tar');
    await gnupg.gpg([
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      'a shared secret',
      '--output',
      tarPath,
      '--decrypt',
      path.join(out, reportPackage),
    ]);
    const listing = await runTool('tar', [
      '-xOf',
      tarPath,
      'dsg-2026-03-final-outputs-report-inputs/RECEIPT.json',
    ]);
    expect(JSON.parse(listing).passphrase).toBe(true);
  });
});

describe('egress-gate pack: all or nothing, never a stack trace (issue 9 item 7)', () => {
  it('refuses an item swapped for a link out of the outputs root before writing anything', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const plot = path.join(repo, 'outputs/code/plot.py');
    const outside = path.join(tmp.dir, 'outside-plot.py');
    await writeFile(outside, await readFile(plot));
    await rm(plot);
    await symlink(outside, plot);
    const out = path.join(tmp.dir, 'packages');
    const packed = await run([...packArgs(secrets, out), '--json'], repo);
    expect(packed.code).toBe(1);
    const result = JSON.parse(packed.stdout);
    expect(result.passed).toBe(false);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ file: manifest, code: 'path-escapes-root', line: 60 }),
    );
    expect(await exists(out)).toBe(false);
  });

  it('refuses an item whose size is not its pin, before writing anything', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    await writeFile(path.join(repo, 'outputs/derived/admissions-by-week.csv'), 'region,week,count\n');
    const out = path.join(tmp.dir, 'packages');
    const packed = await run(packArgs(secrets, out), repo);
    expect(packed.code).toBe(1);
    expect(packed.stderr).toMatch(
      /^requests\/dsg-2026-03-final-outputs\.yaml:\d+:\d+: size-mismatch: 'derived\/admissions-by-week\.csv' is 18 bytes on disk but pinned as 179/m,
    );
    expect(await exists(out)).toBe(false);
  });

  it('on a pin mismatch in a later collection exits 1 with a plain message and leaves nothing in --out', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    // Same size, other bytes: only hashing finds it, while the second collection is packed.
    const derived = path.join(repo, 'outputs/derived/admissions-by-week.csv');
    const bytes = await readFile(derived);
    bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x31 ? 0x32 : 0x31;
    await writeFile(derived, bytes);
    const out = path.join(tmp.dir, 'packages');
    await mkdir(out);
    await writeFile(path.join(out, 'notes.txt'), 'mine\n');
    const text = await run(packArgs(secrets, out), repo);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(/^egress-gate pack: .*derived\/admissions-by-week\.csv/);
    expect(text.stderr).not.toMatch(stackTrace);
    expect(await readdir(out)).toEqual(['notes.txt']);

    const json = await run([...packArgs(secrets, out), '--json'], repo);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({ passed: false, packages: [], error: { code: 'INTEGRITY' } });
    expect(result.error.message).toContain('derived/admissions-by-week.csv');
    expect(await readdir(out)).toEqual(['notes.txt']);
  });

  it('never replaces an existing package or receipt, and writes nothing else', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    await mkdir(out);
    await writeFile(path.join(out, `${handoverPackage}.receipt.asc`), 'an earlier receipt\n');
    const packed = await run(packArgs(secrets, out), repo);
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain(
      `${handoverPackage}.receipt.asc' already exists: a package or receipt is never replaced`,
    );
    expect(await readdir(out)).toEqual([`${handoverPackage}.receipt.asc`]);
    expect(await readFile(path.join(out, `${handoverPackage}.receipt.asc`), 'utf8')).toBe(
      'an earlier receipt\n',
    );

    await run(packArgs(secrets, path.join(tmp.dir, 'first')), repo);
    const again = await run(packArgs(secrets, path.join(tmp.dir, 'first')), repo);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${reportPackage}', `);
    expect(again.stderr).toContain('already exist: a package or receipt is never replaced');
  });

  it('refuses an --out that is a file', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    await writeFile(out, 'not a directory\n');
    const packed = await run(packArgs(secrets, out), repo);
    expect(packed.code).toBe(2);
    expect(packed.stderr).toContain('exists and is not a directory; nothing was packed');
    expect(await readFile(out, 'utf8')).toBe('not a directory\n');
  });

  // A multi-GiB package must not make V8 grow its young generation as it streams (peak RSS would
  // grow with the package). Measured in the bundle a user runs: after the command, a load of
  // surviving objects is allocated; V8 grows the young generation for it unless packing has
  // told it not to.
  it('leaves V8 keeping its young generation small once it has packed, which validate does not', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const probe = path.join(tmp.dir, 'young-generation-probe.mjs');
    await writeFile(
      probe,
      `import { getHeapSpaceStatistics } from 'node:v8';
process.on('exit', () => {
  const kept = [];
  for (let i = 0; i < 400_000; i += 1) kept.push({ i, path: 'd' + (i % 100) + '/f' + i + '.bin' });
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  process.stderr.write('young generation ' + young.space_size + ' bytes, ' + kept.length + ' kept\\n');
});
`,
    );
    const cli = new URL('../../dist/cli.js', import.meta.url).pathname;
    const youngAfter = (argv: string[]) => {
      const child = spawnSync(process.execPath, ['--import', pathToFileURL(probe).href, cli, ...argv], {
        cwd: repo,
        encoding: 'utf8',
      });
      expect(child.status).toBe(0);
      const said = /young generation (\d+) bytes, 400000 kept/.exec(child.stderr);
      expect(said, child.stderr).not.toBeNull();
      return Number(said![1]);
    };
    const packed = youngAfter(packArgs(secrets, path.join(tmp.dir, 'packages')));
    const validated = youngAfter(['validate', manifest]);
    expect(packed).toBeLessThanOrEqual(16 * 2 ** 20);
    expect(validated).toBeGreaterThanOrEqual(4 * packed);
  });
});
