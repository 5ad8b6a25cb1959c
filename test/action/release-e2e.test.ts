import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Azurite, startAzurite } from '../deliver/azurite-fixture.js';
import { type SshdFixture, startSshd } from '../deliver/sshd-fixture.js';
import { createWorld, type FakePull, type FakeWorld } from '../fake-forge/model.js';
import { mergePull, openPull, seedBranch, submitReview } from '../fake-forge/scenario.js';
import { type Dialect, type FakeForge, startFakeForge } from '../fake-forge/server.js';
import {
  makeGnupgHome,
  makeTempDir,
  makeTestKey,
  runTool,
  type TempDir,
  type TestKey,
} from '../pack/pack-fixtures.js';
import { giteaPushEvent, githubPushEvent } from './payloads.js';
import { type ActionRun, runAction } from './run-action.js';

/**
 * The release end to end: the bundled action on a `push` to the protected branch, against the
 * fake forge (GitHub's and Gitea's shapes), delivering one collection each to Azurite, a real
 * sshd and a physical path. The recipient then opens everything with GnuPG and coreutils only.
 */
const requestId = 'wp1-2026-release';
const requestPath = `requests/${requestId}.yaml`;
const passphrase = 'canary-passphrase-7d1f0e9b';
const outputs: Record<string, string> = {
  'report/findings.md': '# Findings\n\nAdmissions rose in winter.\n',
  'report/table-1.csv': 'region,admissions\nnorth,120\nsouth,140\n',
  'code/plot.py': 'print("plot")\n',
  'stats/summary.csv': 'measure,value\nmean,12.5\n',
};
const collections = [
  {
    name: 'report-inputs',
    destination: 'researcher-blob',
    items: ['report/findings.md', 'report/table-1.csv'],
  },
  { name: 'analysis-code', destination: 'provider-sftp', items: ['code/plot.py'] },
  { name: 'summary-stats', destination: 'archive-disk', items: ['stats/summary.csv'] },
] as const;

const pin = (path: string) => {
  const text = outputs[path]!;
  return `        sha256: ${createHash('sha256').update(text).digest('hex')}\n        size: ${Buffer.byteLength(text)}\n`;
};

function manifest(): string {
  return `id: ${requestId}
workPackage: wp1
title: "Figures for the admissions paper"
purpose: Finish the paper outside the environment.
requester: erin
collections:
${collections
  .map(
    (c) => `  - name: ${c.name}
    kind: report
    description: Part of the paper.
    destination: ${c.destination}
    items:
${c.items.map((p) => `      - path: ${p}\n${pin(p)}`).join('')}`,
  )
  .join('')}`;
}

interface Setup {
  tmp: TempDir;
  azurite: Azurite;
  sshd: SshdFixture;
  investigator: TestKey;
  signer: TestKey;
  diskRoot: string;
  outputsDir: string;
}

let setup: Setup;

beforeAll(async () => {
  const tmp = await makeTempDir('egress-release-e2e-');
  const [azurite, sshd, investigator, signer] = await Promise.all([
    startAzurite(),
    startSshd(),
    makeTestKey('Investigator'),
    makeTestKey('Egress', passphrase),
  ]);
  const outputsDir = join(tmp.dir, 'outputs');
  for (const [path, text] of Object.entries(outputs)) {
    await mkdir(join(outputsDir, path, '..'), { recursive: true });
    await writeFile(join(outputsDir, path), text);
  }
  setup = { tmp, azurite, sshd, investigator, signer, diskRoot: join(tmp.dir, 'disk'), outputsDir };
}, 60_000);

afterAll(async () => {
  await setup.azurite[Symbol.asyncDispose]();
  await setup.sshd.close();
  await setup.tmp[Symbol.asyncDispose]();
});

function trustedFiles(dialect: Dialect): Record<string, string> {
  const { azurite, sshd, investigator, signer } = setup;
  return {
    '.egress/config.yaml': `policy: turing-dsh
outputsRoot: outputs
signingKey: egress-signing.asc
destinations:
  researcher-blob:
    kind: azure-blob
    account: ${azurite.blobEndpoint}
    containerPrefix: egress-${dialect}
    sasExpiryHours: 24
  provider-sftp:
    kind: sftp
    host: 127.0.0.1
    port: ${sshd.port}
    user: ${sshd.user}
    remoteDir: ${sshd.remoteDir}/${dialect}
    hostKeyFingerprint: ${sshd.hostKeyFingerprint}
  archive-disk:
    kind: physical
    path: ${setup.diskRoot}/${dialect}
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
  keys: [investigator.asc]
  destinations: [provider-sftp]
destinations: [researcher-blob, provider-sftp, archive-disk]
recipients: [investigator.asc]
`,
    '.egress/keys/investigator.asc': investigator.publicArmored,
    '.egress/keys/egress-signing.asc': signer.publicArmored,
  };
}

const secretInputs = () => ({
  'signing-key': setup.signer.secretArmored,
  'signing-key-passphrase': passphrase,
  'azure-connection-string': setup.azurite.connectionString,
  'sftp-private-key': setup.sshd.privateKey,
  'outputs-root': setup.outputsDir,
});

async function mergedWorld(
  dialect: Dialect,
  options: { mergedBy?: string; codeTier?: number; prefix?: string } = {},
): Promise<{ world: FakeWorld; pull: FakePull; before: string; merge: string }> {
  const world =
    dialect === 'github'
      ? createWorld({ botLogin: 'github-actions[bot]', userEndpointForbidden: true })
      : createWorld({ botLogin: 'gitea-actions' });
  const files = trustedFiles(dialect);
  await mkdir(join(setup.sshd.root, options.prefix ?? dialect), { recursive: true });
  if (options.prefix) {
    files['.egress/config.yaml'] = files['.egress/config.yaml']!.replaceAll(
      `/${dialect}\n`,
      `/${options.prefix}\n`,
    ).replace(`containerPrefix: egress-${dialect}`, `containerPrefix: egress-${options.prefix}`);
  }
  const before = seedBranch(world, 'main', files);
  const pull = openPull(world, { author: 'erin', changes: { [requestPath]: manifest() } });
  for (const user of ['alice', 'bob', 'carol']) {
    const body =
      user === 'carol' && options.codeTier !== undefined
        ? `tier report-inputs: 1\ntier analysis-code: ${options.codeTier}\ntier summary-stats: 1`
        : 'Checked every file.\ntier: 1';
    submitReview(world, pull, { user, body });
  }
  const merge = mergePull(world, pull, { by: options.mergedBy ?? 'dora' });
  return { world, pull, before, merge };
}

function onPush(forge: FakeForge, before: string, after: string, runnerTemp: string): Promise<ActionRun> {
  const payload =
    forge.dialect === 'github'
      ? githubPushEvent(forge.world, { branch: 'main', before, after })
      : giteaPushEvent(forge.world, { branch: 'main', before, after });
  return runAction(forge, 'push', payload, { inputs: secretInputs(), env: { RUNNER_TEMP: runnerTemp } });
}

function releaseComments(world: FakeWorld, pull: FakePull) {
  return world.comments.filter(
    (c) => c.issue === pull.number && c.body.startsWith('<!-- egress-gate:release -->'),
  );
}

/** Everything the run showed anyone: log, summary, outputs, comments, statuses. */
function everything(run: ActionRun, world: FakeWorld): string {
  const stdout = run.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return [
    stdout,
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
    ...world.comments.map((c) => c.body),
    ...world.statuses.map((s) => s.description),
  ].join('\n');
}

async function listOrEmpty(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

describe.each(['github', 'gitea'] as const)('the release on %s', (dialect) => {
  test('a merged request reaches Azurite, the sshd and the disk; gpg opens each package to exactly the pinned files; a re-run uploads nothing', async () => {
    const { world, pull, before, merge } = await mergedWorld(dialect);
    await using forge = await startFakeForge(dialect, world);
    const runnerTemp = join(setup.tmp.dir, `runner-${dialect}`);
    const run = await onPush(forge, before, merge, runnerTemp);
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout.slice(-4000)).toBe(0);
    expect(world.unknown).toEqual([]);
    expect(run.outputs['state']).toBe('delivered');
    expect(run.outputs['request-id']).toBe(requestId);
    expect(world.pulls.get(pull.number)!.labels).toContain('egress:delivered');
    const [comment] = releaseComments(world, pull);
    expect(comment?.body).toMatch(/📦 Delivered/);
    const receipts = run.outputs['receipt']!.split('\n');
    expect(receipts).toHaveLength(3);

    await using gpg = await makeGnupgHome();
    await gpg.importKey(setup.investigator.secretArmored);
    await gpg.importKey(setup.signer.publicArmored);

    // Where each package landed, fetched as its recipient would.
    const got = join(setup.tmp.dir, `received-${dialect}`);
    await mkdir(got, { recursive: true });
    const sealed = /```text\n(-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----)\n```/.exec(
      comment!.body,
    );
    expect(sealed).not.toBeNull();
    await writeFile(join(got, 'links.asc'), sealed![1]!);
    const links = (await gpg.gpg(['--decrypt', join(got, 'links.asc')])).stdout
      .split('\n')
      .filter((l) => l.startsWith('http'));
    expect(links).toHaveLength(2);
    const sasSignature = new URL(links[0]!).searchParams.get('sig')!;
    expect(sasSignature.length).toBeGreaterThan(10);
    // The link carries it URL-encoded (%2B, %2F, %3D): a log could leak either form.
    const sasSignatureRaw = /[?&]sig=([^&]+)/.exec(links[0]!)![1]!;
    expect(decodeURIComponent(sasSignatureRaw)).toBe(sasSignature);
    for (const link of links) {
      const name = decodeURIComponent(new URL(link).pathname.split('/').pop()!);
      await writeFile(join(got, name), Buffer.from(await (await fetch(link)).arrayBuffer()));
    }
    const sftpDir = join(setup.sshd.root, dialect, requestId);
    const diskDir = join(setup.diskRoot, dialect, requestId);
    for (const dir of [sftpDir, diskDir]) {
      for (const name of await readdir(dir))
        await writeFile(join(got, name), await readFile(join(dir, name)));
    }

    for (const c of collections) {
      const pkg = `${requestId}-${c.name}.tar.gpg`;
      const verified = await gpg.gpg(['--status-fd', '1', '--verify', join(got, `${pkg}.receipt.asc`)]);
      expect(verified.stdout).toContain(`VALIDSIG ${setup.signer.fingerprint}`);
      const receiptText = await readFile(join(got, `${pkg}.receipt.asc`), 'utf8');
      const sha = createHash('sha256')
        .update(await readFile(join(got, pkg)))
        .digest('hex');
      expect(receiptText).toContain(`"sha256": "${sha}"`);
      expect(receiptText).toMatch(/"source": "forge",\s*"pullRequest": 1/);
      expect(comment!.body).toContain(sha);
      const open = join(got, `open-${c.name}`);
      await mkdir(open);
      await gpg.gpg(['--output', join(open, 'p.tar'), '--decrypt', join(got, pkg)]);
      await runTool('tar', ['-xf', 'p.tar'], open);
      const root = join(open, `${requestId}-${c.name}`);
      const checked = await runTool('sha256sum', ['-c', 'SHA256SUMS'], root);
      expect(checked).not.toMatch(/FAILED/);
      const listed = (await runTool('find', ['files', '-type', 'f'], root)).trim().split('\n').sort();
      expect(listed).toEqual(c.items.map((p) => `files/${p}`).sort());
    }
    for (const r of receipts) expect((await stat(r)).isFile()).toBe(true);

    // Canaries: no SAS signature, account key, SSH key, signing key or passphrase anywhere visible.
    const sshKeyLine = setup.sshd.privateKey.split('\n')[2]!;
    const signingKeyLine = setup.signer.secretArmored.split('\n').find((l) => l.length > 40)!;
    const shown = everything(run, world);
    for (const canary of [
      sasSignature,
      sasSignatureRaw,
      setup.azurite.accountKey,
      sshKeyLine,
      signingKeyLine,
      passphrase,
      world.token,
    ]) {
      expect(shown).not.toContain(canary);
    }

    // A re-run finds every receipt and uploads nothing.
    const mtimes = await Promise.all(
      [sftpDir, diskDir].map(async (d) => (await stat(join(d, (await readdir(d))[0]!))).mtimeMs),
    );
    const again = await onPush(forge, before, merge, runnerTemp);
    expect(again.code, again.stdout.slice(-3000)).toBe(0);
    expect(again.outputs['state']).toBe('delivered');
    expect(again.stdout).toMatch(
      /already delivered by an earlier run \(3 collections\); nothing was uploaded/,
    );
    const mtimesAfter = await Promise.all(
      [sftpDir, diskDir].map(async (d) => (await stat(join(d, (await readdir(d))[0]!))).mtimeMs),
    );
    expect(mtimesAfter).toEqual(mtimes);
  }, 120_000);

  test('a merger without the releasing role delivers nothing, and the pull request says why', async () => {
    const prefix = `${dialect}-carol`;
    const { world, pull, before, merge } = await mergedWorld(dialect, { mergedBy: 'carol', prefix });
    await using forge = await startFakeForge(dialect, world);
    const run = await onPush(forge, before, merge, join(setup.tmp.dir, `runner-${prefix}`));
    expect(run.code).not.toBe(0);
    expect(run.outputs['state']).toBe('not-delivered');
    const [comment] = releaseComments(world, pull);
    expect(comment?.body).toMatch(/⛔ Not delivered/);
    expect(comment?.body).toMatch(/carol merged the pull request but is not a System Manager/i);
    expect(world.pulls.get(pull.number)!.labels).not.toContain('egress:delivered');
    expect(await listOrEmpty(join(setup.diskRoot, prefix))).toEqual([]);
    expect(await listOrEmpty(join(setup.sshd.root, prefix))).toEqual([]); // created empty by the test
  }, 60_000);

  test('one uncleared collection: no collection is delivered anywhere', async () => {
    const prefix = `${dialect}-split`;
    const { world, pull, before, merge } = await mergedWorld(dialect, { codeTier: 0, prefix });
    await using forge = await startFakeForge(dialect, world);
    const run = await onPush(forge, before, merge, join(setup.tmp.dir, `runner-${prefix}`));
    expect(run.code).not.toBe(0);
    const [comment] = releaseComments(world, pull);
    expect(comment?.body).toMatch(/analysis-code&#39; is needs-discussion/);
    expect(await listOrEmpty(join(setup.diskRoot, prefix))).toEqual([]);
    expect(await listOrEmpty(join(setup.sshd.root, prefix))).toEqual([]); // created empty by the test
  }, 60_000);
});
