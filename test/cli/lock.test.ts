import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
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

  // A directory plus a treatment for a file inside it used to be refused before the directory was
  // expanded ("treatment for 'report/tables/table-1.csv', which is not an item").
  it('locks a directory item with a treatment for a file inside it', async () => {
    const withTreatment = unlocked
      .replace('      - path: report/tables/table-1.csv   # the summary table\n', '')
      .concat(
        '    discussion:\n      date: 2026-03-20\n      attendees:\n        - {user: alice, role: investigator}\n' +
          '        - {user: bob, role: data-provider-representative}\n        - {user: carol, role: referee}\n' +
          '      outcome: agreed\n      treatments:\n        - {path: code/plot.py, treatment: remove}\n',
      );
    await writeFile(
      join(root, request),
      withTreatment.replace('      - path: code\n', '      - path: code\n'),
    );
    const io = createCapturedIo(root);
    expect(await runCli(['lock', request], io)).toBe(0);
    expect(io.err()).toBe('');
    const locked = await readFile(join(root, request), 'utf8');
    expect(locked).toContain('- path: code/plot.py\n        sha256: ');
    expect(await runCli(['validate', request], createCapturedIo(root))).toBe(0);

    await writeFile(
      join(root, request),
      withTreatment.replace('code/plot.py, treatment', 'code/nothing.py, treatment'),
    );
    const wrong = createCapturedIo(root);
    expect(await runCli(['lock', request], wrong)).toBe(1);
    expect(wrong.err()).toMatch(
      /unknown-item: treatment for 'code\/nothing\.py', which is no file of collection/,
    );
  });
});

describe('large outputs end to end: lock, validate, evaluate, pack', () => {
  const id = 'dsg-2026-03-bulk-extract';
  const path = `requests/${id}.yaml`;
  const listingPath = `requests/${id}/weekly-extract/bulk.sha256`;
  let root: string;
  afterEach(() => rm(root, { recursive: true, force: true }));
  // `count` CSV files in 100 folders under outputs/bulk, a request naming the directory, 3 approvals.
  const makeRepository = async (count: number) => {
    root = await mkdtemp(join(tmpdir(), 'egress-cli-bulk-'));
    await cp(examples, root, { recursive: true });
    for (let d = 0; d < 100; d++) {
      const dir = join(root, 'outputs/bulk', `week-${String(d).padStart(3, '0')}`);
      await mkdir(dir, { recursive: true });
      await Promise.all(
        Array.from({ length: count / 100 }, (_, f) =>
          writeFile(
            join(dir, `ward-${String(f).padStart(3, '0')}.csv`),
            `week,ward,admissions\n${d},${f},${((d * f) % 97) + 10}\n`,
          ),
        ),
      );
    }
    await writeFile(
      join(root, path),
      `# Ten thousand small files: too many to list in the manifest itself.\nid: ${id}\nworkPackage: dsg-2026-03\n` +
        'title: Weekly ward extract\npurpose: Hand the weekly ward counts to the investigator.\nrequester: erin\n' +
        'collections:\n  - name: weekly-extract\n    kind: derived-dataset\n    description: Admissions per ward and week.\n' +
        '    destination: researcher-blob\n    provenance:\n      code: [code/aggregate.py]\n      command: python code/aggregate.py --weekly\n' +
        '    items:\n      - path: bulk   # one CSV per ward and week\n        description: Ward counts\n',
    );
    await writeFile(
      join(root, 'reviews.yaml'),
      `author: erin\nhead: 5f3c9e1a7b2d4c6e8f0a1b3c5d7e9f2a4b6c8d0e\nmerger: dora\nreviews:\n${[
        'alice',
        'bob',
        'carol',
      ]
        .map(
          (user) =>
            `  - user: ${user}\n    state: APPROVED\n    commit: 5f3c9e1a7b2d4c6e8f0a1b3c5d7e9f2a4b6c8d0e\n    body: "tier: 1"\n`,
        )
        .join('')}`,
    );
  };

  it('keeps a 10,000-file directory in a listing that sha256sum checks, and every command works on it', async () => {
    const count = 10_000;
    await makeRepository(count);
    const lock = createCapturedIo(root);
    expect(await runCli(['lock', path], lock)).toBe(0);
    expect(lock.out()).toMatch(
      new RegExp(`^${path}: locked \\(${count} files, \\d+ bytes\\)\\n  listing ${listingPath}\\n$`),
    );
    const manifest = await readFile(join(root, path), 'utf8');
    // The manifest stays small and readable: one entry, pinned to its listing.
    expect(manifest.length).toBeLessThan(1200);
    expect(manifest).toMatch(
      new RegExp(
        `- path: bulk   # one CSV per ward and week\\n {8}listing:\\n {10}file: ${listingPath}\\n {10}sha256: [0-9a-f]{64}\\n {10}files: ${count}\\n {10}bytes: \\d+\\n {8}description: Ward counts\\n`,
      ),
    );
    // A reviewer (or anyone) checks every file with coreutils alone, as the listing's header says.
    const listing = await readFile(join(root, listingPath), 'utf8');
    expect(listing).toContain(
      `# Check every file from the outputs root: cd outputs && sha256sum --check --strict ../${listingPath}`,
    );
    const checked = execFileSync('sha256sum', ['--check', '--strict', '--quiet', `../${listingPath}`], {
      cwd: join(root, 'outputs'),
      encoding: 'utf8',
    });
    expect(checked).toBe('');

    const again = createCapturedIo(root);
    expect(await runCli(['lock', path], again)).toBe(0);
    expect(again.out()).toMatch(/already locked, unchanged/);
    expect(await readFile(join(root, path), 'utf8')).toBe(manifest);

    const validate = createCapturedIo(root);
    expect(await runCli(['validate', path], validate)).toBe(0);
    expect(validate.out()).toBe(`${path}: valid\n`);

    const evaluate = createCapturedIo(root);
    const evalCode = await runCli(['evaluate', path, '--reviews', 'reviews.yaml', '--json'], evaluate);
    expect(evalCode).toBe(0);
    const result = JSON.parse(evaluate.out());
    expect(result.passed).toBe(true);
    expect(result.collections[0]).toMatchObject({ name: 'weekly-extract', state: 'cleared', tier: 1 });

    const pack = createCapturedIo(root);
    const signingKey = join(root, '.egress-demo-secrets/egress-signing.secret.asc');
    const packCode = await runCli(
      ['pack', path, '--reviews', 'reviews.yaml', '--out', 'packages', '--signing-key', signingKey],
      pack,
    );
    expect(pack.err()).not.toMatch(/error/i);
    expect(packCode).toBe(0);
    const packages = await readdir(join(root, 'packages'));
    const file = packages.find((name) => name.endsWith('.tar.gpg'));
    expect(file).toBe(`${id}-weekly-extract.tar.gpg`);
    expect((await stat(join(root, 'packages', file!))).size).toBeGreaterThan(count * 20);
  }, 120_000);

  it('points at the listing line of a file that changed, and at the manifest when the listing changed', async () => {
    await makeRepository(300); // over the 100 files a manifest lists itself
    expect(await runCli(['lock', path], createCapturedIo(root))).toBe(0);
    const listing = await readFile(join(root, listingPath), 'utf8');
    const line = listing.split('\n').findIndex((l) => l.endsWith('  bulk/week-041/ward-002.csv')) + 1;
    await writeFile(join(root, 'outputs/bulk/week-041/ward-002.csv'), 'week,ward,admissions\n42,7,3\n');
    const stale = createCapturedIo(root);
    expect(await runCli(['validate', path], stale)).toBe(1);
    expect(stale.err()).toContain(
      `${listingPath}:${line}:1: hash-mismatch: 'bulk/week-041/ward-002.csv' has SHA-256`,
    );

    await writeFile(join(root, listingPath), listing.replace('ward-002.csv\n', 'ward-002.csv\n# an edit\n'));
    const edited = createCapturedIo(root);
    expect(await runCli(['validate', path], edited)).toBe(1);
    expect(edited.err()).toMatch(
      new RegExp(`${path}:\\d+:19: hash-mismatch: the listing '${listingPath}' has SHA-256`),
    );

    await rm(join(root, listingPath));
    const missing = createCapturedIo(root);
    expect(await runCli(['validate', path], missing)).toBe(1);
    expect(missing.err()).toMatch(/missing-listing: the listing .* is not in working tree/);

    // lock writes the listing again and refreshes its pin in place; the rest of the item stays.
    const before = await readFile(join(root, path), 'utf8');
    expect(await runCli(['lock', path], createCapturedIo(root))).toBe(0);
    const after = await readFile(join(root, path), 'utf8');
    expect(after).not.toBe(before);
    expect(after.replace(/sha256: [0-9a-f]{64}\n {10}files: \d+\n {10}bytes: \d+/, '')).toBe(
      before.replace(/sha256: [0-9a-f]{64}\n {10}files: \d+\n {10}bytes: \d+/, ''),
    );
    expect(after.match(/listing:/g)).toHaveLength(1);
    expect(await runCli(['validate', path], createCapturedIo(root))).toBe(0);
  }, 120_000);
});
