import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
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
  /**
   * The same question without the size, answered from the folder's entries once many files of
   * one folder are asked for (one `readdir` instead of one `lstat` per file).
   */
  plainPath(itemPath: string): string | undefined;
  resolve(itemPath: string): Promise<ItemResolution>;
  /**
   * Records a file found by walking a (real) folder of the root (a regular file, not a link), so
   * that resolving it later costs nothing: validate walks a listed directory once, and the
   * disclosure scan and pack then reuse what it found.
   */
  remember(itemPath: string, absolutePath: string): void;
}

/** A name (no separator, not `.` or `..`) in a real, normalised folder: `join` without its cost. */
function inFolder(folderReal: string, name: string): string {
  return folderReal.endsWith(sep) ? `${folderReal}${name}` : `${folderReal}${sep}${name}`;
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
  // A folder's entries are read once it has been asked about this often (a big folder holding
  // one or two items is not listed); then a regular file is known from its directory entry.
  const listAfter = 32;
  const asked = new Map<string, number>();
  const entries = new Map<string, Map<string, boolean>>();
  const folderEntries = (folder: string, real: string): Map<string, boolean> | undefined => {
    const listed = entries.get(folder);
    if (listed) return listed;
    const count = (asked.get(folder) ?? 0) + 1;
    asked.set(folder, count);
    if (count < listAfter) return undefined;
    const map = new Map<string, boolean>();
    try {
      for (const entry of readdirSync(real, { withFileTypes: true })) map.set(entry.name, entry.isFile());
    } catch {
      return undefined;
    }
    entries.set(folder, map);
    return map;
  };
  const splitPath = (itemPath: string): { folder: string; name: string; real: string } | undefined => {
    if (itemPath.endsWith('/') || describeUnsafeItemPath(itemPath) !== undefined) return undefined;
    const slash = itemPath.lastIndexOf('/');
    const folder = slash < 0 ? '' : itemPath.slice(0, slash);
    const real = folderReal(folder);
    return real === null ? undefined : { folder, name: itemPath.slice(slash + 1), real };
  };
  const plainPath = (itemPath: string): string | undefined => {
    const seen = walked.get(itemPath);
    if (seen !== undefined) return seen;
    const parts = splitPath(itemPath);
    if (!parts) return undefined;
    const listed = folderEntries(parts.folder, parts.real);
    if (listed) return listed.get(parts.name) === true ? inFolder(parts.real, parts.name) : undefined;
    return plainFile(itemPath)?.absolutePath;
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
    const parts = splitPath(itemPath);
    if (!parts) return undefined;
    const absolutePath = inFolder(parts.real, parts.name);
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
    plainPath,
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
