import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../action/src/cli/command.js';
import { runCli } from '../../action/src/cli/run.js';
import { makeGnupgHome, makeTempDir, makeTestKey, runTool, sha256 } from '../pack/pack-fixtures.js';

const examples = new URL('../../examples', import.meta.url).pathname;
const manifest = 'requests/dsg-2026-03-final-outputs.yaml';
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
  return { repo, secrets, investigator, provider, signer };
}

const packArgs = (
  secrets: string,
  out: string,
  reviews = 'reviews/dsg-2026-03-final-outputs.cleared.yaml',
) => [
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
  it('packs every cleared collection, and the recipient verifies and extracts it', async () => {
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
      commit: '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e',
    });
    expect(
      receipt.classifications.map((c: { role: string; user: string }) => `${c.role}:${c.user}`).sort(),
    ).toEqual(['data-provider-representative:bob', 'investigator:alice', 'referee:carol']);
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

  it('packs only the cleared collections, says why the others were not, and exits 1', async () => {
    await using tmp = await makeTempDir();
    const { repo, secrets } = await makeRepo(tmp.dir);
    const out = path.join(tmp.dir, 'packages');
    const packed = await run(
      packArgs(secrets, out, 'reviews/dsg-2026-03-final-outputs.needs-discussion.yaml'),
      repo,
    );
    expect(packed.code).toBe(1);
    expect(packed.stdout).toMatch(/^packed report-inputs \(tier 1, 4 files\)/);
    expect(packed.stdout).toMatch(/not packed: data-provider-handover is needs-discussion\n {2}- /);
    expect(await readdir(out)).toEqual(['dsg-2026-03-final-outputs-report-inputs.tar.gpg']);
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
      `author: erin\nhead: 5f3c9e1\nreviews:\n${reviews}`,
    );

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
  });
});
