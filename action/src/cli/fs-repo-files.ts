import { readdir, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { EgressError } from '../shared/errors.js';
import { isInsideRoot } from '../shared/inside-root.js';
import type { RepoFiles } from '../shared/repo-files.js';

function isErrno(error: unknown, ...codes: string[]): boolean {
  return (
    typeof error === 'object' && error !== null && codes.includes((error as { code?: string }).code ?? '')
  );
}

/** The working tree as RepoFiles; refuses any path (or symlink) that leaves the repository root. */
export function createFsRepoFiles(root: string): RepoFiles {
  const inside = async (path: string): Promise<string | undefined> => {
    if (isAbsolute(path) || path.split('/').includes('..')) {
      throw new EgressError('INPUT', `'${path}' is not a path inside the repository ${root}`);
    }
    const absolute = join(root, path);
    let real: string;
    try {
      real = await realpath(absolute);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
      throw error;
    }
    const rootReal = await realpath(root);
    if (!isInsideRoot(rootReal, real)) {
      throw new EgressError('INPUT', `'${path}' resolves to '${real}', outside the repository ${rootReal}`);
    }
    return real;
  };
  return {
    label: `working tree ${root}`,
    async readText(path) {
      const real = await inside(path);
      if (real === undefined) return undefined;
      try {
        return await readFile(real, 'utf8');
      } catch (error) {
        if (isErrno(error, 'ENOENT', 'EISDIR')) return undefined;
        throw error;
      }
    },
    async listFiles(dir) {
      const real = await inside(dir);
      if (real === undefined) return [];
      try {
        const entries = await readdir(real, { withFileTypes: true });
        return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
      } catch (error) {
        if (isErrno(error, 'ENOENT', 'ENOTDIR')) return [];
        throw error;
      }
    },
  };
}
