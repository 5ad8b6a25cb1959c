import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Measured in a process of its own: this one's young generation has long since grown.
const source = fileURLToPath(new URL('../../action/src/shared/young-generation.ts', import.meta.url));
const child = `
const { keepYoungGenerationSmall } = await import(process.argv[1]);
if (process.argv[2] === 'kept small') keepYoungGenerationSmall();
const { getHeapSpaceStatistics } = await import('node:v8');
// Many small objects that all survive, as when a large receipt is planned.
const kept = [];
for (let i = 0; i < 400_000; i += 1) kept.push({ i, path: 'd' + (i % 100) + '/f' + i + '.bin' });
const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
console.log(JSON.stringify({ kept: kept.length, bytes: young.space_size }));
`;

function youngGenerationAfterPlanning(mode: 'kept small' | 'default'): number {
  const flags = ['--disable-warning=ExperimentalWarning', '--input-type=module'];
  const run = spawnSync(process.execPath, [...flags, '-e', child, source, mode], {
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  const reported = JSON.parse(run.stdout) as { kept: number; bytes: number };
  expect(reported.kept).toBe(400_000);
  return reported.bytes;
}

// Packing calls it once its encryption thread runs, so a multi-GiB package keeps peak RSS flat.
// The child imports the TypeScript source, which needs a Node that strips types (the suite runs on
// Node 24; test/cli/pack-verify.test.ts checks the same through the bundle on any Node).
describe.runIf(Boolean((process.features as { typescript?: unknown }).typescript))(
  'keepYoungGenerationSmall',
  () => {
    it('stops V8 from growing the young generation, which it otherwise does under the same load', () => {
      const kept = youngGenerationAfterPlanning('kept small');
      const grown = youngGenerationAfterPlanning('default');
      // Kept: 2–6 MiB (a large array's backing store can add a page or two); grown: 64 MiB.
      expect(kept).toBeLessThanOrEqual(16 * 2 ** 20);
      expect(grown).toBeGreaterThanOrEqual(4 * kept);
    });
  },
);
