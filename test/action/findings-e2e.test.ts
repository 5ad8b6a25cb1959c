import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createWorld, type FakeWorld } from '../fake-forge/model.js';
import { latestStatus, openPull, seedBranch, submitReview } from '../fake-forge/scenario.js';
import { startFakeForge } from '../fake-forge/server.js';
import { githubPullRequestEvent, githubWorkflowRunEvent } from './payloads.js';
import { runAction } from './run-action.js';

/**
 * End to end: the bundled action reviews the example request with table declarations, the
 * outputs on the runner (`outputs-root`), and shows its findings and its acknowledgement.
 */
const examples = join(import.meta.dirname, '../../examples');
const requestPath = 'requests/dsg-2026-03-age-bands.yaml';

async function filesUnder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(examples, full)] = await readFile(full, 'utf8');
  }
  return out;
}

async function exampleWorld(policy?: string): Promise<FakeWorld> {
  const world = createWorld({ botLogin: 'github-actions[bot]', userEndpointForbidden: true });
  const base = await filesUnder(join(examples, '.egress'));
  if (policy) {
    base['policies/strict.yaml'] = policy;
    base['.egress/config.yaml'] = base['.egress/config.yaml']!.replace(
      /^policy: turing-dsh.*$/m,
      'policy: policies/strict.yaml',
    );
  }
  seedBranch(world, 'main', { ...base, 'README.md': '# TRE egress repository\n' });
  return world;
}

describe('disclosure findings on the pull request', () => {
  test("the comment lists the example's findings per collection and file, with the acknowledgement; advice never blocks", async () => {
    const world = await exampleWorld();
    await using forge = await startFakeForge('github', world);
    const manifest = await readFile(join(examples, requestPath), 'utf8');
    const pull = openPull(world, { author: 'erin', changes: { [requestPath]: manifest } });
    for (const user of ['alice', 'bob', 'carol']) submitReview(world, pull, { user, body: 'tier: 1' });
    const run = await runAction(forge, 'workflow_run', githubWorkflowRunEvent(world, pull), {
      inputs: { 'outputs-root': join(examples, 'outputs') },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs['state']).toBe('cleared');
    expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('success');

    const body = world.comments.find((c) => c.issue === pull.number)!.body;
    expect(body).toContain('#### Disclosure-risk findings (advisory');
    expect(body).toContain('4 findings: 0 blocking, 2 acknowledged in the manifest.');
    expect(body).toContain('**steering-tables**');
    expect(body).toContain('- `age-bands/admissions-by-age-band.csv` — 2 findings');
    expect(body).toContain('- `age-bands/cost-by-ward.csv` — 2 findings');
    expect(body).toContain(
      '`:4:7 B4` nk-dominance (advice · declared): magnitude in column &#39;total\\_cost\\_gbp&#39; is dominated: the 2 largest contributions make up 94% (more than 90%) — *suppress it or combine categories*',
    );
    expect(body).toContain(
      '`:2:12 C2` zero-cell (advice · declared): zero count in column &#39;admissions&#39;',
    );
    expect(body).toContain(
      '✔ acknowledged in the manifest: “Structural zeros: the trust admits no patients under 16 (children go to the regional children&#39;s hospital), so these cells say nothing about any person.”',
    );
    // Annotations at the item's line in the manifest, for the open findings only.
    const itemLine = manifest.split('\n').indexOf('      - path: age-bands/cost-by-ward.csv') + 1;
    expect(run.stdout).toContain(
      `::warning title=egress-gate,file=${requestPath},line=${itemLine},col=9::nk-dominance`,
    );
    expect(run.stdout).not.toMatch(/::warning[^\n]*zero-cell/);
    expect(world.unknown).toEqual([]);
  });

  test('a policy that makes nk-dominance blocking blocks the collection, naming the rule', async () => {
    const turing = await readFile(join(import.meta.dirname, '../../policies/turing-dsh.yaml'), 'utf8');
    const strict = turing
      .replace('name: turing-dsh', 'name: strict-sdc')
      .replace(
        'nk-dominance: { severity: advice, n: 2, threshold: 90 }',
        'nk-dominance: { severity: blocking }',
      );
    const world = await exampleWorld(strict);
    await using forge = await startFakeForge('github', world);
    const manifest = await readFile(join(examples, requestPath), 'utf8');
    const pull = openPull(world, { author: 'erin', changes: { [requestPath]: manifest } });
    for (const user of ['alice', 'bob', 'carol']) submitReview(world, pull, { user, body: 'tier: 1' });
    const run = await runAction(forge, 'pull_request_target', githubPullRequestEvent(world, pull, 'opened'), {
      inputs: { 'outputs-root': join(examples, 'outputs') },
    });
    expect(run.code).toBe(1);
    expect(run.outputs['state']).toBe('blocked');
    expect(latestStatus(world, pull.headSha, 'egress-gate')?.state).toBe('failure');
    expect(pull.labels).toContain('egress:blocked');
    const body = world.comments.find((c) => c.issue === pull.number)!.body;
    expect(body).toContain(
      '**steering-tables**: disclosure rule &#39;nk-dominance&#39; is blocking in policy strict-sdc: age-bands/cost-by-ward.csv:4:7',
    );
    expect(body).toContain('nk-dominance (**blocking** · declared)');
    expect(run.stdout).toMatch(
      /::error title=egress-gate,file=requests\/dsg-2026-03-age-bands\.yaml,line=\d+,col=9::nk-dominance/,
    );
  });
});
