import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../../action/src/cli/command.js';
import { runCli } from '../../action/src/cli/run.js';
import { makeReleaseRepo, requestId, requestPath, writeOutputFiles } from '../app/release-fixtures.js';
import { createWorld } from '../fake-forge/model.js';
import { mergePull, openPull, pushToBranch, seedBranch, submitReview } from '../fake-forge/scenario.js';
import { startFakeForge } from '../fake-forge/server.js';
import { makeTempDir } from '../pack/pack-fixtures.js';

/** `egress-gate deliver --pr`: the pull request, reviews, merger and configuration from the forge over HTTP. */
async function run(argv: string[], cwd: string, env: Record<string, string>) {
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

async function scenario(dialect: 'github' | 'gitea', mergedBy: string | null = 'dora') {
  const tmp = await makeTempDir('egress-deliver-pr-');
  const release = await makeReleaseRepo();
  const world = createWorld();
  const files = { ...release.files };
  files['.egress/config.yaml'] = files['.egress/config.yaml']!.replaceAll(
    'path: delivered/',
    `path: ${tmp.dir}/delivered/`,
  );
  seedBranch(world, 'main', files);
  const pull = openPull(world, { author: 'erin', changes: { [requestPath]: release.manifest() } });
  for (const user of ['alice', 'bob', 'carol']) submitReview(world, pull, { user, body: 'tier: 1' });
  if (mergedBy !== null) mergePull(world, pull, { by: mergedBy });
  const local = join(tmp.dir, 'outputs-host');
  await writeOutputFiles(join(local, 'outputs'), release.outputs);
  await writeFile(join(tmp.dir, 'signing.asc'), release.signer.secretArmored);
  const forge = await startFakeForge(dialect, world);
  const argv = [
    'deliver',
    '--pr',
    String(pull.number),
    '--forge',
    dialect,
    '--api-url',
    forge.apiUrl,
    '--forge-repo',
    `${world.owner}/${world.repo}`,
    '--base-branch',
    'main',
    '--signing-key',
    join(tmp.dir, 'signing.asc'),
    '--repo',
    local,
    '--work-dir',
    join(tmp.dir, 'work'),
    '--json',
  ];
  return { tmp, forge, world, pull, argv, local, env: { EGRESS_GATE_TOKEN: world.token } };
}

describe.each(['github', 'gitea'] as const)('egress-gate deliver --pr on %s', (dialect) => {
  test('delivers from the forge evidence: the receipt records the pull request and the forge review ids', async () => {
    const s = await scenario(dialect);
    await using _tmp = s.tmp;
    await using _forge = s.forge;
    const result = await run(s.argv, s.local, s.env);
    expect(result.stderr).toMatch(/reading pull request #1/);
    expect(result.stderr).not.toContain(s.world.token);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.state).toBe('delivered');
    expect(json.evidence).toMatchObject({ source: 'forge', pullRequest: 1 });
    const dir = join(s.tmp.dir, 'delivered/researcher', requestId);
    const receipt = await readFile(join(dir, `${requestId}-report-inputs.tar.gpg.receipt.asc`), 'utf8');
    const reviewIds = s.pull.reviews.map((r) => String(r.id));
    for (const id of reviewIds) expect(receipt).toContain(`"reviewId": "${id}"`);
    expect(s.world.unknown).toEqual([]);
  });
});

describe('egress-gate deliver --pr failures', () => {
  test('a merger without the releasing role: exit 1, nothing delivered', async () => {
    const s = await scenario('github', 'carol');
    await using _tmp = s.tmp;
    await using _forge = s.forge;
    const result = await run(s.argv, s.local, s.env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).state).toBe('not-cleared');
    expect(await readdir(join(s.tmp.dir, 'delivered')).catch(() => [])).toEqual([]);
  });

  test('a forge that keeps failing: exit 3 (worth a retry), nothing delivered', async () => {
    const s = await scenario('gitea');
    await using _tmp = s.tmp;
    await using _forge = s.forge;
    s.world.faults.push({
      match: `GET /repos/${s.world.owner}/${s.world.repo}/pulls/1`,
      status: 503,
      remaining: 100,
    });
    const result = await run(s.argv, s.local, s.env);
    expect(result.code).toBe(3);
    expect(await mkdir(join(s.tmp.dir, 'delivered')).then(() => 'absent')).toBe('absent');
  }, 60_000);
});

describe('egress-gate deliver --pr: the protected branch', () => {
  test('without --base-branch it is a usage error; a pull request into another branch is refused, nothing delivered', async () => {
    const s = await scenario('github');
    await using _tmp = s.tmp;
    await using _forge = s.forge;
    const at = s.argv.indexOf('--base-branch');
    const without = [...s.argv.slice(0, at), ...s.argv.slice(at + 2)];
    const missing = await run(without, s.local, s.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--base-branch/);
    const other = [...s.argv];
    other[at + 1] = 'release';
    const refused = await run(other, s.local, s.env);
    expect(refused.code).toBe(1);
    const json = JSON.parse(refused.stdout);
    expect(json.state).toBe('not-cleared');
    expect(json.reasons.join(' ')).toMatch(/targets 'main', not the protected branch 'release'/);
    expect(await readdir(join(s.tmp.dir, 'delivered')).catch(() => [])).toEqual([]);
  });
});

describe('evaluate --pr and pack --pr: the forge as the source of reviews and configuration', () => {
  test('evaluate --pr on an open pull request reads the protected branch tip: a role holder removed there no longer counts', async () => {
    const s = await scenario('gitea', null);
    await using _tmp = s.tmp;
    await using _forge = s.forge;
    const forgeArgs = s.argv.slice(1, 11);
    const cleared = await run(['evaluate', ...forgeArgs, '--repo', s.local, '--json'], s.local, s.env);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout).passed).toBe(true);
    // The protected branch moves on: carol is no longer the referee.
    const wp = '.egress/work-packages/wp1.yaml';
    const tip = s.world.branches.get('main')!;
    const text = s.world.commits.get(tip)!.get(wp)!.replace('referee: [carol]', 'referee: [frank]');
    pushToBranch(s.world, 'main', { [wp]: text });
    const after = await run(['evaluate', ...forgeArgs, '--repo', s.local, '--json'], s.local, s.env);
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout).collections[0].state).toBe('awaiting-review');
  });

  test('pack --pr packs a merged pull request from the forge reviews; --pr with --reviews is a usage error', async () => {
    const s = await scenario('github');
    await using _tmp = s.tmp;
    await using _forge = s.forge;
    const out = join(s.tmp.dir, 'packages');
    const forgeArgs = s.argv.slice(1, 11);
    const packed = await run(
      [
        'pack',
        ...forgeArgs,
        '--repo',
        s.local,
        '--out',
        out,
        '--signing-key',
        join(s.tmp.dir, 'signing.asc'),
        '--json',
      ],
      s.local,
      s.env,
    );
    expect(packed.code).toBe(0);
    expect(JSON.parse(packed.stdout).packages).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual([
      `${requestId}-analysis-code.tar.gpg`,
      `${requestId}-report-inputs.tar.gpg`,
    ]);
    const usage = await run(['pack', ...forgeArgs, '--reviews', 'x.yaml', '--out', out], s.local, s.env);
    expect(usage.code).toBe(2);
  });
});
