import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readKey, readPrivateKey } from 'openpgp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyChanges, requestFilePattern } from '../../action/src/app/classify-changes.js';
import { createSplitRepoFiles } from '../../action/src/app/forge-repo-files.js';
import { loadRepository } from '../../action/src/app/load-repository.js';
import { lockRequest } from '../../action/src/app/lock-request.js';
import { finishPinCheck, validateRequest } from '../../action/src/app/validate-request.js';
import { createFsRepoFiles } from '../../action/src/cli/fs-repo-files.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const request = 'requests/dsg-2026-03-final-outputs.yaml';

describe('validateRequest on the example repository', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'egress-validate-'));
    await cp(examples, root, { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const run = (onProgress?: (done: number, total: number, bytes: number) => void) =>
    validateRequest({
      files: createFsRepoFiles(root),
      manifestPath: request,
      outputsDir: join(root, 'outputs'),
      onProgress,
    });

  it('loads the configuration, work package and keys', async () => {
    const repo = await loadRepository(createFsRepoFiles(root));
    expect(repo.diagnostics).toEqual([]);
    expect(repo.config.policy).toBe('turing-dsh');
    expect([...repo.workPackages.keys()]).toEqual(['dsg-2026-03']);
    expect([...repo.keys.keys()]).toEqual(['data-provider.asc', 'egress-signing.asc', 'investigator.asc']);
    expect(repo.keys.get('data-provider.asc')).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  });

  it('ships real OpenPGP v4 curve25519 public keys, each matching its demo-only secret key', async () => {
    const repo = await loadRepository(createFsRepoFiles(root));
    for (const [name, armored] of repo.keys) {
      const key = await readKey({ armoredKey: armored });
      expect(key.isPrivate()).toBe(false);
      expect(key.keyPacket.version).toBe(4);
      expect(key.getAlgorithmInfo().algorithm).toBe('eddsaLegacy');
      const secret = await readPrivateKey({
        armoredKey: readFileSync(
          join(root, '.egress-demo-secrets', name.replace('.asc', '.secret.asc')),
          'utf8',
        ),
      });
      expect(secret.getFingerprint()).toBe(key.getFingerprint());
    }
  });

  it('passes with every pin verified, reporting progress per file', async () => {
    const progress: number[] = [];
    const result = await run((done) => progress.push(done));
    expect(result.diagnostics).toEqual([]);
    expect(result.manifest?.collections.map((c) => c.name)).toEqual([
      'report-inputs',
      'data-provider-handover',
    ]);
    expect(progress).toEqual([...Array(11).keys()].map((i) => i + 1));
  });

  it('defers hashing to a digest given later (evaluate: from the disclosure scan), and uses it', async () => {
    await writeFile(join(root, 'outputs/report/text/findings.md'), 'changed after review\n');
    const validated = await validateRequest({
      files: createFsRepoFiles(root),
      manifestPath: request,
      outputsDir: join(root, 'outputs'),
      deferHashes: true,
    });
    // Nothing hashed yet: the changed file is not reported until its digest arrives.
    expect(validated.diagnostics).toEqual([]);
    const pending = validated.pendingPins!.files.map((f) => f.absolutePath);
    expect(pending).toHaveLength(11);
    // A digest from elsewhere is taken as it is: a wrong one for an unchanged file shows it was used.
    const table = pending.find((p) => p.endsWith('table-1.csv'))!;
    await finishPinCheck(validated, new Map([[table, '0'.repeat(64)]]));
    const mismatched = validated.diagnostics.filter((d) => d.code === 'hash-mismatch');
    expect(mismatched.map((d) => d.message.split("'")[1])).toEqual([
      'report/tables/table-1.csv',
      'report/text/findings.md',
      'report/tables/table-1.csv',
      'report/text/findings.md',
    ]);
    // Both files are pinned in both collections: each pin is reported at its own line.
    expect(mismatched.map((d) => d.line)).toEqual([25, 28, 48, 51]);
  });

  it('lists each changed, missing or escaping file at its line', async () => {
    await writeFile(join(root, 'outputs/report/tables/table-1.csv'), 'region,admissions\nNorth,3\n');
    await rm(join(root, 'outputs/code/plot.py'));
    await rm(join(root, 'outputs/derived/admissions-by-week.csv'));
    await symlink(join(root, '.egress/config.yaml'), join(root, 'outputs/derived/admissions-by-week.csv'));
    const result = await run();
    const found = result.diagnostics.map((d) => `${d.code} ${d.line}`);
    expect(found).toEqual([
      'hash-mismatch 25',
      'hash-mismatch 48',
      'path-escapes-root 53',
      'missing-file 60',
    ]);
    expect(result.diagnostics[0]!.message).toContain("'report/tables/table-1.csv' has SHA-256 ");
  });

  it('refuses an unlocked directory and an unpinned file', async () => {
    await writeFile(
      join(root, 'requests/dsg-2026-03-summary-statistics.yaml'),
      readFileSync(join(root, 'requests/dsg-2026-03-summary-statistics.yaml'), 'utf8')
        .replace(/ {8}sha256: .*\n {8}size: .*\n/, '')
        .replace(
          '- path: summary-statistics/cohort-summary.csv',
          '- path: summary-statistics\n      - path: report/text/findings.md',
        ),
    );
    const result = await validateRequest({
      files: createFsRepoFiles(root),
      manifestPath: 'requests/dsg-2026-03-summary-statistics.yaml',
      outputsDir: join(root, 'outputs'),
    });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unlocked-directory', 'unpinned-item']);
  });

  it('reports a missing configuration as a configuration problem', async () => {
    await rm(join(root, '.egress/config.yaml'));
    const result = await run();
    expect(result.repo.configValid).toBe(false);
    expect(result.repo.diagnostics.map((d) => d.code)).toEqual(['missing-config']);
  });
});

describe('a directory item with a listing', () => {
  let root: string;
  const path = 'requests/dsg-2026-03-wards.yaml';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'egress-listing-'));
    await cp(examples, root, { recursive: true });
    await mkdir(join(root, 'outputs/wards'), { recursive: true });
    for (let i = 0; i < 150; i++) {
      await writeFile(
        join(root, `outputs/wards/ward-${String(i).padStart(3, '0')}.csv`),
        `ward,n\n${i},${i + 10}\n`,
      );
    }
    await writeFile(
      join(root, path),
      'id: dsg-2026-03-wards\nworkPackage: dsg-2026-03\ntitle: T\npurpose: P\nrequester: erin\ncollections:\n' +
        '  - name: wards\n    kind: report\n    description: D\n    destination: provider-disk\n    items:\n' +
        '      - path: wards\n        description: Ward counts\n      - path: code/plot.py\n' +
        '    discussion:\n      date: 2026-03-20\n      attendees:\n        - {user: alice, role: investigator}\n' +
        '        - {user: bob, role: data-provider-representative}\n        - {user: carol, role: referee}\n' +
        '      outcome: agreed\n      treatments:\n        - {path: wards, treatment: aggregate}\n' +
        '        - {path: wards/ward-007.csv, treatment: remove}\n',
    );
    const locked = await lockRequest({
      files: createFsRepoFiles(root),
      manifestPath: path,
      outputsDir: join(root, 'outputs'),
    });
    expect(locked.diagnostics).toEqual([]);
    expect(locked.listings.map((l) => l.path)).toEqual(['requests/dsg-2026-03-wards/wards/wards.sha256']);
    await mkdir(join(root, 'requests/dsg-2026-03-wards/wards'), { recursive: true });
    await writeFile(join(root, locked.listings[0]!.path), locked.listings[0]!.text);
    await writeFile(join(root, path), locked.text!);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('is read from the head like the manifest, and downstream sees one item per file', async () => {
    const head = createFsRepoFiles(root);
    // The base branch has no request files: both must come from the head.
    const base = {
      ...head,
      label: 'base',
      readText: (p: string) => (p.startsWith('requests/') ? Promise.resolve(undefined) : head.readText(p)),
    };
    const files = createSplitRepoFiles(base, head, (p) => requestFilePattern.test(p));
    const result = await validateRequest({ files, manifestPath: path, outputsDir: join(root, 'outputs') });
    expect(result.diagnostics).toEqual([]);
    const items = result.manifest!.collections[0]!.items;
    expect(items).toHaveLength(151);
    // Declared items keep their index (pointers into the manifest stay right): the listed
    // directory's first file takes its place, the other files come after.
    expect(items.map((i) => i.path).slice(0, 3)).toEqual([
      'wards/ward-000.csv',
      'code/plot.py',
      'wards/ward-001.csv',
    ]);
    expect(result.pinnedEntries!.find((e) => e.path === 'code/plot.py')).toMatchObject({
      pointer: '/collections/0/items/1',
    });
    expect(result.pinnedEntries!.find((e) => e.path === 'wards/ward-007.csv')).toMatchObject({
      pointer: '/collections/0/items/0',
      origin: { file: 'requests/dsg-2026-03-wards/wards/wards.sha256', line: 3 + 2 * 8 },
    });
    expect(items.find((i) => i.path === 'wards/ward-007.csv')).toEqual({
      path: 'wards/ward-007.csv',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      size: 12,
      description: 'Ward counts',
    });
    expect(result.declared!.collections[0]!.items).toEqual([
      expect.objectContaining({ path: 'wards', listing: expect.objectContaining({ files: 150 }) }),
      expect.objectContaining({ path: 'code/plot.py', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }),
    ]);
    // A treatment on the directory covers each file without a treatment of its own.
    const treatments = result.manifest!.collections[0]!.discussion!.treatments!;
    expect(treatments).toHaveLength(150);
    expect(treatments.filter((t) => t.treatment === 'remove').map((t) => t.path)).toEqual([
      'wards/ward-007.csv',
    ]);
  });

  it('does not count as a second request', () => {
    const changes = classifyChanges(
      [
        { path, status: 'added' },
        { path: 'requests/dsg-2026-03-wards/wards/wards.sha256', status: 'added' },
      ],
      '.egress',
    );
    expect(changes.requests).toEqual([path]);
  });
});
