import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from './cli-io.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const request = 'requests/dsg-2026-03-final-outputs.yaml';

// The example request as a researcher writes it, before `egress-gate lock`.
const unlocked = `# Final outputs.
id: dsg-2026-03-final-outputs
workPackage: dsg-2026-03
title: Final outputs of the hospital admissions study
purpose: >-
  Finish the report outside the environment, and hand every output
  back to the data provider.
requester: erin

collections:
  # Data egress 1: kept at a low tier.
  - name: report-inputs
    kind: report
    description: Text, figures and the summary table.
    destination: researcher-blob
    items:
      - path: report/tables/table-1.csv   # the summary table
      - path: report      # a directory

  - name: data-provider-handover
    kind: derived-dataset
    description: All outputs.
    destination: provider-disk
    items:
      - path: derived/admissions-by-week.csv
        description: Weekly counts
      - path: code
`;

describe('egress-gate lock', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'egress-cli-lock-'));
    await cp(examples, root, { recursive: true });
    await writeFile(join(root, request), unlocked);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('pins every file, expands directories, keeps comments, and is a fixed point', async () => {
    const io = createCapturedIo(root);
    expect(await runCli(['lock', request], io)).toBe(0);
    expect(io.out()).toBe(`${request}: locked (7 files, 2400 bytes)\n`);
    const locked = await readFile(join(root, request), 'utf8');
    for (const kept of [
      '# Final outputs.',
      '# Data egress 1: kept at a low tier.',
      '# the summary table',
      '# a directory',
    ]) {
      expect(locked).toContain(kept);
    }
    expect(locked).toContain(
      'purpose: >-\n  Finish the report outside the environment, and hand every output\n  back',
    );
    expect(locked.match(/- path: /g)).toHaveLength(7);
    expect(locked).toContain(
      '      - path: report/figures/admissions-by-region.svg      # a directory\n        sha256: ',
    );
    // The table was listed explicitly: the directory does not list it twice.
    expect(locked.match(/path: report\/tables\/table-1\.csv/g)).toHaveLength(1);
    expect(locked).toMatch(
      /path: derived\/admissions-by-week\.csv\n {8}sha256: [0-9a-f]{64}\n {8}size: 179\n {8}description: Weekly counts/,
    );

    const again = createCapturedIo(root);
    expect(await runCli(['lock', request], again)).toBe(0);
    expect(again.out()).toBe(`${request}: already locked, unchanged (7 files, 2400 bytes)\n`);
    expect(await readFile(join(root, request), 'utf8')).toBe(locked);

    const check = createCapturedIo(root);
    expect(await runCli(['validate', request], check)).toBe(0);
  });

  it('refreshes a pin after the file changed, so validate passes again', async () => {
    await runCli(['lock', request], createCapturedIo(root));
    await writeFile(join(root, 'outputs/code/plot.py'), 'print("changed")\n');
    const stale = createCapturedIo(root);
    expect(await runCli(['validate', request], stale)).toBe(1);
    expect(stale.err()).toMatch(/:\d+:17: hash-mismatch: 'code\/plot\.py' has SHA-256/);
    expect(await runCli(['lock', request], createCapturedIo(root))).toBe(0);
    expect(await runCli(['validate', request], createCapturedIo(root))).toBe(0);
  });

  it.each([
    [
      'a ../ path',
      (t: string) => t.replace('- path: code', '- path: ../.egress'),
      /unsafe-path: '\.\.\/\.egress' has a '\.\.' segment/,
    ],
    [
      'an absolute path',
      (t: string) => t.replace('- path: code', '- path: /etc'),
      /unsafe-path: '\/etc' is absolute/,
    ],
  ])('refuses %s and leaves the file alone', async (_name, edit, message) => {
    await writeFile(join(root, request), edit(unlocked));
    const io = createCapturedIo(root);
    expect(await runCli(['lock', request], io)).toBe(1);
    expect(io.err()).toMatch(message);
    expect(await readFile(join(root, request), 'utf8')).toBe(edit(unlocked));
  });

  it('refuses a symlink that escapes the outputs root', async () => {
    await symlink(join(root, '.egress-demo-secrets'), join(root, 'outputs/code/keys'));
    const io = createCapturedIo(root);
    expect(await runCli(['lock', '--json', request], io)).toBe(1);
    const report = JSON.parse(io.out());
    expect(report.changed).toBe(false);
    expect(report.diagnostics).toEqual([
      expect.objectContaining({
        code: 'path-escapes-root',
        line: 27,
        column: 15,
        pointer: '/collections/1/items/1/path',
      }),
    ]);
    expect(report.diagnostics[0].message).toMatch(/'code\/keys' resolves to .*outside the outputs root/);
  });
});
