import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveItem, resolveOutputsRoot } from '../../action/src/pack/outputs.js';

describe('resolveItem', () => {
  let base: string;
  let root: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'egress-outputs-'));
    await mkdir(join(base, 'outputs/report/figures'), { recursive: true });
    await mkdir(join(base, 'outputs/empty'));
    await mkdir(join(base, 'secret'));
    await writeFile(join(base, 'secret/extract.csv'), 'nhs_number\n9434765919\n');
    await writeFile(join(base, 'outputs/report/text.md'), 'text');
    await writeFile(join(base, 'outputs/report/figures/b.svg'), '<svg/>');
    await writeFile(join(base, 'outputs/report/figures/a.svg'), '<svg/>');
    await symlink(join(base, 'secret/extract.csv'), join(base, 'outputs/leak.csv'));
    await symlink(join(base, 'secret'), join(base, 'outputs/leak-dir'));
    await symlink('report/text.md', join(base, 'outputs/alias.md'));
    await symlink('nowhere.csv', join(base, 'outputs/dangling.csv'));
    await mkdir(join(base, 'outputs/mixed'));
    await writeFile(join(base, 'outputs/mixed/ok.txt'), 'ok');
    await symlink(join(base, 'secret/extract.csv'), join(base, 'outputs/mixed/zz-leak.csv'));
    await mkdir(join(base, 'outputs/odd-names'));
    await writeFile(join(base, 'outputs/odd-names/nl\n  - path: evil.csv'), 'a,b\n');
    await mkdir(join(base, 'outputs/looped'));
    await symlink('..', join(base, 'outputs/looped/up'));
    root = await resolveOutputsRoot(join(base, 'outputs'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it.each([
    ['../secret/extract.csv', 'unsafe-path', /'\.\.' segment/],
    ['report/../../secret/extract.csv', 'unsafe-path', /'\.\.' segment/],
    ['/etc/passwd', 'unsafe-path', /absolute/],
    ['leak.csv', 'path-escapes-root', /outside the outputs root/],
    ['leak-dir/extract.csv', 'path-escapes-root', /outside the outputs root/],
    ['mixed', 'path-escapes-root', /'mixed\/zz-leak\.csv' resolves to .*outside the outputs root/],
    ['odd-names', 'unsafe-path', /"odd-names\/nl\\n {2}- path: evil\.csv" contains a control character/],
    ['looped', 'not-a-file', /'looped\/up' is a symbolic link to a directory/],
    ['dangling.csv', 'missing-file', /symbolic link to nothing/],
    ['absent.csv', 'missing-file', /does not exist/],
  ])('refuses %s (%s)', async (path, code, message) => {
    const result = await resolveItem(root, path);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.message).toMatch(message);
    }
  });

  it('expands a directory into its files, sorted, as POSIX paths', async () => {
    const result = await resolveItem(root, 'report/');
    expect(result.ok && result.directory).toBe(true);
    if (result.ok) {
      expect(result.files.map((f) => f.path)).toEqual([
        'report/figures/a.svg',
        'report/figures/b.svg',
        'report/text.md',
      ]);
    }
  });

  it('accepts a symlink that stays inside the root, under its own name', async () => {
    const result = await resolveItem(root, 'alias.md');
    expect(result).toEqual({
      ok: true,
      directory: false,
      files: [{ path: 'alias.md', absolutePath: join(root, 'report/text.md') }],
    });
  });

  it('expands an empty directory to no files', async () => {
    expect(await resolveItem(root, 'empty')).toEqual({ ok: true, directory: true, files: [] });
  });
});
