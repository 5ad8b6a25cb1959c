import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutputsResolver } from '../../action/src/app/outputs-resolver.js';
import { resolveItem, resolveOutputsRoot } from '../../action/src/pack/outputs.js';

// The few-system-calls path for many files must say exactly what resolveItem says, links included.
describe('createOutputsResolver', () => {
  let base: string;
  let root: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'egress-resolver-'));
    await mkdir(join(base, 'outputs/report/figures'), { recursive: true });
    await mkdir(join(base, 'secret'));
    await writeFile(join(base, 'secret/extract.csv'), 'nhs_number\n9434765919\n');
    await writeFile(join(base, 'outputs/report/text.md'), 'text');
    await writeFile(join(base, 'outputs/top.txt'), 'top');
    await writeFile(join(base, 'outputs/report/figures/a.svg'), '<svg/>');
    await symlink(join(base, 'secret/extract.csv'), join(base, 'outputs/leak.csv'));
    await symlink(join(base, 'secret'), join(base, 'outputs/leak-dir'));
    await symlink('report', join(base, 'outputs/report-link'));
    await symlink('report/text.md', join(base, 'outputs/alias.md'));
    await symlink('nowhere.csv', join(base, 'outputs/dangling.csv'));
    // A folder asked about often is read whole: links and folders in it must still be caught.
    await mkdir(join(base, 'outputs/many/sub'), { recursive: true });
    for (let i = 0; i < 40; i += 1) await writeFile(join(base, `outputs/many/f${i}.txt`), `${i}`);
    await symlink(join(base, 'secret/extract.csv'), join(base, 'outputs/many/leak.csv'));
    await symlink('f1.txt', join(base, 'outputs/many/alias.txt'));
    await symlink('nowhere', join(base, 'outputs/many/dangling.txt'));
    root = await resolveOutputsRoot(join(base, 'outputs'));
  });

  it('answers as resolveItem does in a folder read whole', async () => {
    const resolver = createOutputsResolver(root);
    const names = [
      ...Array.from({ length: 40 }, (_, i) => `f${i}.txt`),
      'leak.csv',
      'alias.txt',
      'dangling.txt',
      'sub',
      'missing.txt',
    ];
    for (let round = 0; round < 2; round += 1) {
      for (const name of names) {
        const itemPath = `many/${name}`;
        expect(await resolver.resolve(itemPath), itemPath).toEqual(await resolveItem(root, itemPath));
        const expected = await resolveItem(root, itemPath);
        const plain =
          expected.ok && !expected.directory && !name.includes('alias')
            ? expected.files[0]!.absolutePath
            : undefined;
        expect(resolver.plainPath(itemPath), itemPath).toBe(plain);
      }
    }
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  const paths = [
    'top.txt',
    'report/text.md',
    'report/figures/a.svg',
    'report',
    'report/',
    'report-link/text.md',
    'leak.csv',
    'leak-dir/extract.csv',
    'alias.md',
    'dangling.csv',
    'missing.csv',
    'report/missing.md',
    'missing-dir/x.csv',
    '../secret/extract.csv',
    'report/./text.md',
    '/etc/passwd',
  ];

  it.each(paths)('%s', async (itemPath) => {
    const resolver = createOutputsResolver(root);
    // Twice: the second answer comes from the folder cache.
    for (let i = 0; i < 2; i += 1) {
      expect(await resolver.resolve(itemPath)).toEqual(await resolveItem(root, itemPath));
    }
  });

  it('answers plain files inside the root only, with their size', () => {
    const resolver = createOutputsResolver(root);
    expect(resolver.plainFile('report/text.md')).toEqual({
      absolutePath: join(root, 'report/text.md'),
      size: 4,
    });
    for (const p of [
      'leak.csv',
      'leak-dir/extract.csv',
      'alias.md',
      'report',
      'dangling.csv',
      '../secret/extract.csv',
    ]) {
      expect(resolver.plainFile(p), p).toBeUndefined();
    }
  });
});
