import { lstatSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { type ItemResolution, resolveItem } from '../pack/outputs.js';
import { isInsideRoot } from '../shared/inside-root.js';

/** A plain file found under the outputs root: its real path and size. */
export interface PlainOutputFile {
  absolutePath: string;
  size: number;
}

/**
 * Resolves many item paths under one (real) outputs root with few system calls, for requests of
 * thousands of files: each folder's real path is looked up once, and a regular file that is not a
 * symbolic link then costs one `lstat` (its real path is its folder's real path plus its name).
 * Anything else — a link, a folder, a missing or unsafe path — goes through `resolveItem`, which
 * gives the exact words; the answers are the same either way.
 */
export interface OutputsResolver {
  /** The real outputs root these paths are resolved under. */
  readonly root: string;
  /** The file when `itemPath` names a regular file (not a link) inside the root; otherwise undefined. */
  plainFile(itemPath: string): PlainOutputFile | undefined;
  resolve(itemPath: string): Promise<ItemResolution>;
  /**
   * Records a file found by walking a (real) folder of the root (a regular file, not a link), so
   * that resolving it later costs nothing: validate walks a listed directory once, and the
   * disclosure scan and pack then reuse what it found.
   */
  remember(itemPath: string, absolutePath: string): void;
}

export function createOutputsResolver(rootReal: string): OutputsResolver {
  // Folder (POSIX, relative) → its real path inside the root, or null when it is not usable.
  const folders = new Map<string, string | null>([['', rootReal]]);
  const folderReal = (folder: string): string | null => {
    const known = folders.get(folder);
    if (known !== undefined) return known;
    let real: string | null = null;
    try {
      const found = realpathSync.native(join(rootReal, ...folder.split('/')));
      if (isInsideRoot(rootReal, found)) real = found;
    } catch {
      real = null;
    }
    folders.set(folder, real);
    return real;
  };
  // Answers are kept for the run: a request names each file once or twice (scan, then pack).
  const plain = new Map<string, PlainOutputFile | null>();
  const walked = new Map<string, string>();
  const plainFile = (itemPath: string): PlainOutputFile | undefined => {
    const known = plain.get(itemPath);
    if (known !== undefined) return known ?? undefined;
    const found = lookUp(itemPath);
    plain.set(itemPath, found ?? null);
    return found;
  };
  const lookUp = (itemPath: string): PlainOutputFile | undefined => {
    if (itemPath.endsWith('/') || describeUnsafeItemPath(itemPath) !== undefined) return undefined;
    const slash = itemPath.lastIndexOf('/');
    const folder = folderReal(slash < 0 ? '' : itemPath.slice(0, slash));
    if (folder === null) return undefined;
    const absolutePath = join(folder, itemPath.slice(slash + 1));
    try {
      const info = lstatSync(absolutePath);
      return info.isFile() ? { absolutePath, size: info.size } : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    root: rootReal,
    plainFile,
    remember(itemPath, absolutePath) {
      walked.set(itemPath, absolutePath);
    },
    async resolve(itemPath) {
      const seen = walked.get(itemPath);
      if (seen !== undefined)
        return { ok: true, directory: false, files: [{ path: itemPath, absolutePath: seen }] };
      const file = plainFile(itemPath);
      if (file)
        return { ok: true, directory: false, files: [{ path: itemPath, absolutePath: file.absolutePath }] };
      return resolveItem(rootReal, itemPath);
    },
  };
}
