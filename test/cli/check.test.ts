import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
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
const tables = 'requests/dsg-2026-03-age-bands.yaml';

describe('egress-gate check', () => {
  let repo: string;
  beforeEach(async () => {
    repo = await mkdtemp(join(tmpdir(), 'egress-check-'));
    await cp(join(import.meta.dirname, '../../examples'), repo, { recursive: true });
  });
  afterEach(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('finds nothing in the final outputs example: no false alarms', async () => {
    const run = capture(repo);
    expect(await runCli(['check', manifest], run.io)).toBe(0);
    expect(run.stdout()).toContain('no disclosure risks found');
  });

  it("lists the declared example's findings: acknowledged zeros and a dominated cost cell, and exits 1", async () => {
    const run = capture(repo);
    expect(await runCli(['check', tables], run.io)).toBe(1);
    const lines = run.stdout().split('\n');
    for (const line of [2, 5]) {
      expect(lines).toContain(
        `outputs/age-bands/admissions-by-age-band.csv:${line}:12: zero-cell: zero count in column 'admissions' [declared, advice, C${line}] — a zero can reveal that nobody in a group has an attribute: check it is a structural zero, or combine categories — acknowledged: Structural zeros: the trust admits no patients under 16 (children go to the regional children's hospital), so these cells say nothing about any person. (collection steering-tables)`,
      );
    }
    expect(lines).toContain(
      "outputs/age-bands/cost-by-ward.csv:4:7: nk-dominance: magnitude in column 'total_cost_gbp' is dominated: the 2 largest contributions make up 94% (more than 90%) [declared, advice, B4] — suppress it or combine categories (collection steering-tables)",
    );
    expect(run.stdout()).toContain('4 finding(s) for the reviewers, 2 of them acknowledged');
  });

  it('reports an acknowledgement that matches nothing, at its line in the manifest', async () => {
    const path = join(repo, tables);
    const text = await readFile(path, 'utf8');
    await writeFile(
      path,
      `${text}  - rule: small-cell\n    file: age-bands/cost-by-ward.csv\n    line: 2\n    reason: a stale note\n`,
    );
    const run = capture(repo);
    expect(await runCli(['check', tables, '--json'], run.io)).toBe(1);
    const { findings } = JSON.parse(run.stdout()).collections[0];
    const unmatched = findings.filter((f: { rule: string }) => f.rule === 'unmatched-acknowledgement');
    const ackLine = text.split('\n').length; // the appended entry starts on the file's last (empty) line
    expect(unmatched).toEqual([
      expect.objectContaining({
        file: 'age-bands/cost-by-ward.csv',
        line: 2,
        acknowledged: false,
        message: "the acknowledgement of 'small-cell' at line 2 matches no finding",
        manifestLine: ackLine,
      }),
    ]);
    expect(findings.filter((f: { acknowledged: boolean }) => f.acknowledged)).toHaveLength(2);
  });

  it('checks a declared table exactly: rounding to the declared base, and a column the header lacks', async () => {
    await writeFile(
      join(repo, 'outputs/age-bands/admissions-by-age-band.csv'),
      'region,admissions\nNorth,615\nSouth,483\n',
    );
    const path = join(repo, tables);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('contributors: patients', 'contributors: patient_count'));
    const run = capture(repo);
    expect(await runCli(['check', tables, '--json'], run.io)).toBe(1);
    const { findings } = JSON.parse(run.stdout()).collections[0];
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'unrounded-count',
        file: 'age-bands/admissions-by-age-band.csv',
        line: 3,
        cell: 'B3',
        basis: 'declared',
        advice: 'round every count to base 5',
      }),
    );
    expect(findings).toContainEqual(
      expect.objectContaining({
        rule: 'declaration-mismatch',
        file: 'age-bands/cost-by-ward.csv',
        line: 1,
        message: expect.stringContaining("contributors column 'patient_count'"),
      }),
    );
    // The zeros are gone, so their acknowledgement now matches nothing.
    expect(findings.map((f: { rule: string }) => f.rule)).toContain('unmatched-acknowledgement');
  });

  it('marks findings of a rule the policy makes blocking', async () => {
    const turing = await readFile(join(import.meta.dirname, '../../policies/turing-dsh.yaml'), 'utf8');
    await mkdir(join(repo, 'policies'));
    await writeFile(
      join(repo, 'policies/strict.yaml'),
      turing.replace('small-cell: { severity: advice, threshold: 10 }', 'small-cell: { severity: blocking }'),
    );
    const config = join(repo, '.egress/config.yaml');
    await writeFile(
      config,
      (await readFile(config, 'utf8')).replace('policy: turing-dsh', 'policy: policies/strict.yaml'),
    );
    await writeFile(
      join(repo, 'outputs/report/tables/table-1.csv'),
      'region,admissions_2025,admissions_2026\nNorth,3,40\n',
    );
    const run = capture(repo);
    expect(await runCli(['check', manifest], run.io)).toBe(1);
    expect(run.stdout()).toContain(
      "outputs/report/tables/table-1.csv:2:7: small-cell: count 3 in column 'admissions_2025' is below the threshold of 10 [inferred, blocking, B2]",
    );
  });

  it('reports a small cell and an e-mail address at file:line:col, with the value masked, and exits 1', async () => {
    await writeFile(
      join(repo, 'outputs/derived/admissions-by-week.csv'),
      'region,count\nNorth,120\nSouth,4\n',
    );
    await writeFile(join(repo, 'outputs/report/text/findings.md'), '# Findings\nAsk jane.doe@example.org.\n');
    const run = capture(repo);
    expect(await runCli(['check', manifest], run.io)).toBe(1);
    const lines = run.stdout().split('\n');
    expect(lines).toContain(
      "outputs/derived/admissions-by-week.csv:3:7: small-cell: count 4 in column 'count' is below the threshold of 10 [inferred, advice, B3] — suppress it or combine categories, and check it cannot be recovered from totals (collection data-provider-handover)",
    );
    expect(lines.some((l) => l.startsWith('outputs/report/text/findings.md:2:5: email-address:'))).toBe(true);
    expect(run.stdout()).not.toContain('jane.doe@example.org');
  });

  it('prints one JSON object per manifest with --json', async () => {
    await writeFile(join(repo, 'outputs/derived/admissions-by-week.csv'), 'region,count\nSouth,4\n');
    const run = capture(repo);
    expect(await runCli(['check', manifest, '--json'], run.io)).toBe(1);
    const report = JSON.parse(run.stdout());
    expect(report.manifest).toBe(manifest);
    const handover = report.collections.find(
      (c: { collection: string }) => c.collection === 'data-provider-handover',
    );
    expect(handover.findings).toEqual([
      {
        rule: 'small-cell',
        severity: 'advice',
        file: 'derived/admissions-by-week.csv',
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
