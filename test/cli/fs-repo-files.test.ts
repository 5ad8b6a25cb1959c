import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsRepoFiles } from '../../action/src/cli/fs-repo-files.js';

describe('createFsRepoFiles', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'egress-repo-files-'));
    await mkdir(join(base, 'repo/.egress/keys'), { recursive: true });
    await writeFile(join(base, 'repo/.egress/config.yaml'), 'policy: turing-dsh\n');
    await writeFile(join(base, 'repo/.egress/keys/a.asc'), 'key');
    await writeFile(join(base, 'outside.yaml'), 'secret: 1\n');
    await symlink(join(base, 'outside.yaml'), join(base, 'repo/.egress/linked.yaml'));
  });
  afterAll(() => rm(base, { recursive: true, force: true }));

  it('reads and lists files inside the repository', async () => {
    const files = createFsRepoFiles(join(base, 'repo'));
    expect(await files.readText('.egress/config.yaml')).toBe('policy: turing-dsh\n');
    expect(await files.readText('.egress/absent.yaml')).toBeUndefined();
    expect(await files.listFiles('.egress/keys')).toEqual(['a.asc']);
    expect(await files.listFiles('.egress/none')).toEqual([]);
  });

  it.each([['../outside.yaml'], ['/etc/passwd'], ['.egress/linked.yaml']])('refuses %s', async (path) => {
    const files = createFsRepoFiles(join(base, 'repo'));
    await expect(files.readText(path)).rejects.toThrow(
      /outside the repository|not a path inside the repository/,
    );
  });
});
