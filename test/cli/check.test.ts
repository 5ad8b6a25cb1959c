import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from './cli-io.js';

function capture(cwd: string) {
  const io = createCapturedIo(cwd);
  return { io, stdout: io.out, stderr: io.err };
}

const manifest = 'requests/dsg-2026-03-final-outputs.yaml';

describe('egress-gate check', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'egress-check-'));
    await cp(join(import.meta.dirname, '../../examples'), repo, { recursive: true });
  });
  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('finds nothing in the example outputs', async () => {
    const run = capture(repo);
    expect(await runCli(['check', manifest], run.io)).toBe(0);
    expect(run.stdout()).toContain('no disclosure risks found');
  });

  it('reports a small cell and an e-mail address at file:line:col, with the value masked, and exits 1', async () => {
    await writeFile(join(repo, 'outputs/report/tables/table-1.csv'), 'region,count\nNorth,120\nSouth,4\n');
    await writeFile(join(repo, 'outputs/report/text/findings.md'), '# Findings\nAsk jane.doe@example.org.\n');
    const run = capture(repo);
    expect(await runCli(['check', manifest], run.io)).toBe(1);
    const lines = run.stdout().split('\n');
    expect(lines).toContain(
      "outputs/report/tables/table-1.csv:3:7: small-cell: count 4 in column 'count' is below the threshold of 10 [inferred, advice, B3] — suppress it or combine categories, and check it cannot be recovered from totals (collection report-inputs)",
    );
    expect(lines.some((l) => l.startsWith('outputs/report/text/findings.md:2:5: email-address:'))).toBe(true);
    expect(run.stdout()).not.toContain('jane.doe@example.org');
  });

  it('prints one JSON object per manifest with --json', async () => {
    await writeFile(join(repo, 'outputs/report/tables/table-1.csv'), 'region,count\nSouth,4\n');
    const run = capture(repo);
    expect(await runCli(['check', manifest, '--json'], run.io)).toBe(1);
    const report = JSON.parse(run.stdout());
    expect(report.manifest).toBe(manifest);
    const inputs = report.collections.find((c: { collection: string }) => c.collection === 'report-inputs');
    expect(inputs.findings).toEqual([
      {
        rule: 'small-cell',
        severity: 'advice',
        file: 'report/tables/table-1.csv',
        line: 2,
        column: 7,
        cell: 'B2',
        basis: 'inferred',
        acknowledged: false,
        message: "count 4 in column 'count' is below the threshold of 10",
        advice: 'suppress it or combine categories, and check it cannot be recovered from totals',
        manifestLine: expect.any(Number),
      },
    ]);
  });

  it('never says "no risks" of a file it could not read: a missing item or a link out of the root fails', async () => {
    await rm(join(repo, 'outputs/report/text/findings.md'));
    await rm(join(repo, 'outputs/report/tables/table-1.csv'));
    await symlink('/etc/passwd', join(repo, 'outputs/report/tables/table-1.csv'));
    const run = capture(repo);
    expect(await runCli(['check', manifest], run.io)).toBe(1);
    expect(run.stderr()).toMatch(/cannot check 'report\/text\/findings\.md': .*does not exist/);
    expect(run.stderr()).toMatch(/cannot check 'report\/tables\/table-1\.csv': .*outside the outputs root/);
    expect(run.stdout()).not.toContain('no disclosure risks found');
    expect(run.stdout()).toContain('could not be read, so they were not checked');
  });
});
