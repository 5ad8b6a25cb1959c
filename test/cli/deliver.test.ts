import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../../action/src/cli/command.js';
import { runCli } from '../../action/src/cli/run.js';
import { makeReleaseRepo, requestId, requestPath, writeOutputFiles } from '../app/release-fixtures.js';
import { startAzurite } from '../deliver/azurite-fixture.js';
import { makeGnupgHome, makeTempDir, makeTestKey, runTool } from '../pack/pack-fixtures.js';

const head = '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e';
const passphrase = 'correct horse battery staple';

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

function reviewsFile(options: { merger?: string | undefined; tierOfCode?: number } = {}): string {
  const merger = 'merger' in options ? options.merger : 'dora';
  const body = (t: number) => `      tier report-inputs: 1\n      tier analysis-code: ${t}\n`;
  return `author: erin
head: ${head}
${merger ? `merger: ${merger}\n` : ''}reviews:
  - {id: 11, user: alice, state: APPROVED, commit: ${head.slice(0, 7)}, body: "tier: 1"}
  - {id: 12, user: bob, state: APPROVED, commit: ${head.slice(0, 7)}, body: "tier: 1"}
  - id: 13
    user: carol
    state: APPROVED
    commit: ${head.slice(0, 7)}
    body: |
${body(options.tierOfCode ?? 1)}`;
}

/** An egress repository on disk with real keys and outputs, a reviews file, and the signing key. */
async function makeRepo(dir: string, edit: (files: Record<string, string>) => void = () => {}) {
  const release = await makeReleaseRepo();
  edit(release.files);
  const repo = join(dir, 'repo');
  for (const [path, text] of Object.entries({ ...release.files, [requestPath]: release.manifest() })) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), text);
  }
  await writeOutputFiles(join(repo, 'outputs'), release.outputs);
  const signer = await makeTestKey('Egress', passphrase);
  await writeFile(join(repo, '.egress/keys/egress-signing.asc'), signer.publicArmored);
  const secrets = join(dir, 'secrets');
  await mkdir(secrets);
  await writeFile(join(secrets, 'signing.asc'), signer.secretArmored);
  await writeFile(join(secrets, 'pass.txt'), `${passphrase}\n`);
  await writeFile(join(repo, 'reviews.yaml'), reviewsFile());
  const args = (reviews = 'reviews.yaml') => [
    'deliver',
    requestPath,
    '--reviews',
    reviews,
    '--signing-key',
    join(secrets, 'signing.asc'),
    '--passphrase-file',
    join(secrets, 'pass.txt'),
    '--work-dir',
    join(dir, 'work'),
  ];
  return { repo, release, signer, args };
}

describe('egress-gate deliver', () => {
  test('delivers every collection with signed receipts; a re-run uploads nothing', async () => {
    await using tmp = await makeTempDir('egress-deliver-cli-');
    const { repo, release, signer, args } = await makeRepo(tmp.dir);
    const first = await run([...args(), '--json'], repo);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/checking report-inputs at its destination/);
    const result = JSON.parse(first.stdout);
    expect(result.state).toBe('delivered');
    expect(result.evidence).toMatchObject({ source: 'reviews-file', path: 'reviews.yaml' });
    expect(
      result.collections.map((c: { collection: string; alreadyDelivered: boolean }) => [
        c.collection,
        c.alreadyDelivered,
      ]),
    ).toEqual([
      ['report-inputs', false],
      ['analysis-code', false],
    ]);
    const dir = join(repo, 'delivered/researcher', requestId);
    const pkg = `${requestId}-report-inputs.tar.gpg`;
    expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.asc`]);
    expect(result.collections[0].package.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.collections[0].recipients).toEqual([release.investigator.fingerprint]);

    await using gpg = await makeGnupgHome();
    await gpg.importKey(signer.publicArmored);
    await gpg.importKey(release.investigator.secretArmored);
    const verified = await gpg.gpg(['--status-fd', '1', '--verify', join(dir, `${pkg}.receipt.asc`)]);
    expect(verified.stdout).toContain(`VALIDSIG ${signer.fingerprint}`);
    await gpg.gpg(['--output', join(tmp.dir, 'p.tar'), '--decrypt', join(dir, pkg)]);
    await runTool('tar', ['-xf', 'p.tar'], tmp.dir);
    expect(
      await runTool('sha256sum', ['-c', 'SHA256SUMS'], join(tmp.dir, `${requestId}-report-inputs`)),
    ).toMatch(/files\/report\/table-1.csv: OK/);
    const receiptBefore = await readFile(join(dir, `${pkg}.receipt.asc`), 'utf8');

    const again = await run(args(), repo);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already delivered report-inputs/);
    expect(again.stdout).toMatch(/nothing was uploaded/);
    expect(await readFile(join(dir, `${pkg}.receipt.asc`), 'utf8')).toBe(receiptBefore);
  });

  test('a reviews file without merger is a usage error; nothing is delivered', async () => {
    await using tmp = await makeTempDir('egress-deliver-cli-');
    const { repo, args } = await makeRepo(tmp.dir);
    await writeFile(join(repo, 'no-merger.yaml'), reviewsFile({ merger: undefined }));
    const result = await run(args('no-merger.yaml'), repo);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs 'merger' in the reviews file/);
    await expect(readdir(join(repo, 'delivered'))).rejects.toThrow();
  });

  test('a merger without the releasing role, or one uncleared collection: exit 1, no collection delivered', async () => {
    await using tmp = await makeTempDir('egress-deliver-cli-');
    const { repo, args } = await makeRepo(tmp.dir);
    await writeFile(join(repo, 'carol.yaml'), reviewsFile({ merger: 'carol' }));
    const wrongMerger = await run(args('carol.yaml'), repo);
    expect(wrongMerger.code).toBe(1);
    expect(wrongMerger.stderr).toMatch(/carol merged the pull request but is not a System Manager/i);
    await writeFile(join(repo, 'split.yaml'), reviewsFile({ tierOfCode: 0 }));
    const split = await run([...args('split.yaml'), '--json'], repo);
    expect(split.code).toBe(1);
    expect(JSON.parse(split.stdout).state).toBe('not-cleared');
    await expect(readdir(join(repo, 'delivered'))).rejects.toThrow();
  });

  test('--pr needs the forge API, the repository and a token from the environment', async () => {
    await using tmp = await makeTempDir('egress-deliver-cli-');
    const { repo, args } = await makeRepo(tmp.dir);
    const noUrl = await run(['deliver', '--pr', '7', ...args().slice(4)], repo);
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/--api-url/);
    const noToken = await run(
      [
        'deliver',
        '--pr',
        '7',
        '--api-url',
        'http://127.0.0.1:9/api/v3',
        '--forge-repo',
        'tre/egress',
        '--base-branch',
        'main',
        ...args().slice(4),
      ],
      repo,
    );
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/EGRESS_GATE_TOKEN/);
  });

  test('is listed in the overview and has its own help', async () => {
    const overview = await run(['--help'], '/');
    expect(overview.stdout).toMatch(/deliver\s+the release by hand/);
    const help = await run(['deliver', '--help'], '/');
    expect(help.stdout).toMatch(/--pr <number>/);
    expect(help.stdout).toMatch(/Exit codes: 0/);
  });
  test('Azure access links are printed sealed to the recipients, in text and --json, and gpg opens them', async () => {
    await using azurite = await startAzurite();
    await using tmp = await makeTempDir('egress-deliver-cli-azure-');
    const toAzure = (prefix: string) => (files: Record<string, string>) => {
      files['.egress/config.yaml'] = files['.egress/config.yaml']!.replace(
        '  archive-disk:\n    kind: physical\n    path: delivered/archive\n',
        `  archive-disk:\n    kind: azure-blob\n    account: ${azurite.blobEndpoint}\n    containerPrefix: ${prefix}\n    sasExpiryHours: 24\n`,
      );
    };
    const env = { EGRESS_AZURE_CONNECTION_STRING: azurite.connectionString };
    const asJson = await makeRepo(join(tmp.dir, 'json'), toAzure('egressj'));
    const json = await run([...asJson.args(), '--json'], asJson.repo, env);
    expect(json.code).toBe(0);
    const sealed = JSON.parse(json.stdout).collections.find((c: { sealedAccess?: string }) => c.sealedAccess)
      ?.sealedAccess as string;
    expect(sealed).toMatch(/^-----BEGIN PGP MESSAGE-----\n[\s\S]+-----END PGP MESSAGE-----/);
    const asText = await makeRepo(join(tmp.dir, 'text'), toAzure('egresst'));
    const text = await run(asText.args(), asText.repo, env);
    expect(text.code).toBe(0);
    const block = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(text.stdout)?.[0];
    expect(block).toBeDefined();
    for (const [armored, release] of [
      [sealed, asJson],
      [block!, asText],
    ] as const) {
      await using gpg = await makeGnupgHome();
      await gpg.importKey(release.release.investigator.secretArmored);
      await gpg.importKey(release.signer.publicArmored);
      const file = join(tmp.dir, 'links.asc');
      await writeFile(file, armored);
      const links = (await gpg.gpg(['--decrypt', file])).stdout
        .split('\n')
        .filter((l) => l.startsWith('http'));
      expect(links.length).toBeGreaterThan(0);
      const sig = new URL(links[0]!).searchParams.get('sig')!;
      expect(json.stdout + json.stderr + text.stdout + text.stderr).not.toContain(sig);
    }
  }, 60_000);
});
