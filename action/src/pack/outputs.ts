import { type Dirent, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { isInsideRoot } from '../shared/inside-root.js';

/** One file of an item, resolved under the outputs root. */
export interface OutputFile {
  /** POSIX path relative to the outputs root, as written in the manifest. */
  path: string;
  /** Real path on disk (symlinks followed, checked to stay inside the root). */
  absolutePath: string;
}

export type ItemResolution =
  | { ok: true; directory: boolean; files: OutputFile[] }
  | { ok: false; code: 'unsafe-path' | 'path-escapes-root' | 'missing-file' | 'not-a-file'; message: string };

/** The outputs root's real path; resolves symlinks once so every check compares real paths. */
export async function resolveOutputsRoot(root: string): Promise<string> {
  return realpathSync.native(root);
}

// Synchronous calls on purpose (the async signatures stay for callers): one item is a few
// system calls, and thousands of items awaited one by one on the thread pool spent most of
// `validate`'s time idle.
const realpath = (p: string) => realpathSync.native(p);

/**
 * Resolves an item path under the (real) outputs root: refuses absolute paths, `..`, and anything
 * whose real path leaves the root; a directory expands to its files, sorted, as POSIX paths.
 */
export async function resolveItem(rootReal: string, itemPath: string): Promise<ItemResolution> {
  const unsafe = describeUnsafeItemPath(itemPath);
  if (unsafe) return { ok: false, code: 'unsafe-path', message: unsafe };
  const clean = itemPath.replace(/\/+$/, '');
  const candidate = join(rootReal, ...clean.split('/'));
  let real: string;
  try {
    real = realpath(candidate);
  } catch {
    let dangling = true;
    try {
      lstatSync(candidate);
    } catch {
      dangling = false;
    }
    return {
      ok: false,
      code: 'missing-file',
      message: dangling
        ? `'${itemPath}' is a symbolic link to nothing`
        : `'${itemPath}' does not exist under the outputs root`,
    };
  }
  if (!isInsideRoot(rootReal, real)) {
    return {
      ok: false,
      code: 'path-escapes-root',
      message: `'${itemPath}' resolves to '${real}', outside the outputs root; copy the file into the outputs instead of linking to it`,
    };
  }
  const info = statSync(real);
  if (info.isFile()) return { ok: true, directory: false, files: [{ path: clean, absolutePath: real }] };
  if (!info.isDirectory()) {
    return {
      ok: false,
      code: 'not-a-file',
      message: `'${itemPath}' is neither a regular file nor a directory`,
    };
  }
  const files: OutputFile[] = [];
  const problem = await walk(rootReal, real, clean, files);
  if (problem) return problem;
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ok: true, directory: true, files };
}

async function walk(
  rootReal: string,
  dirReal: string,
  dirPath: string,
  out: OutputFile[],
): Promise<Extract<ItemResolution, { ok: false }> | undefined> {
  const entries: Dirent[] = readdirSync(dirReal, { withFileTypes: true });
  for (const entry of entries) {
    const path = `${dirPath}/${entry.name}`;
    // Names found on disk obey the same rule as names written in a manifest.
    const unsafe = describeUnsafeItemPath(path);
    if (unsafe) return { ok: false, code: 'unsafe-path', message: unsafe };
    // A regular file that is not a link lies where the (real) folder says: no realpath/stat needed.
    if (entry.isFile()) {
      out.push({ path, absolutePath: join(dirReal, entry.name) });
      continue;
    }
    const result = await resolveEntry(rootReal, join(dirReal, entry.name), path, entry.isSymbolicLink());
    if (!result.ok) return result;
    if (result.kind === 'file') out.push({ path, absolutePath: result.real });
    else {
      const problem = await walk(rootReal, result.real, path, out);
      if (problem) return problem;
    }
  }
  return undefined;
}

async function resolveEntry(
  rootReal: string,
  absolute: string,
  path: string,
  isLink: boolean,
): Promise<{ ok: true; kind: 'file' | 'directory'; real: string } | Extract<ItemResolution, { ok: false }>> {
  let real: string;
  try {
    real = realpath(absolute);
  } catch {
    return { ok: false, code: 'missing-file', message: `'${path}' is a symbolic link to nothing` };
  }
  if (!isInsideRoot(rootReal, real)) {
    return {
      ok: false,
      code: 'path-escapes-root',
      message: `'${path}' resolves to '${real}', outside the outputs root; copy the file into the outputs instead of linking to it`,
    };
  }
  const info = statSync(real);
  if (info.isFile()) return { ok: true, kind: 'file', real };
  if (info.isDirectory() && isLink) {
    // Following linked directories would re-walk (or loop over) the tree; name the target instead.
    return {
      ok: false,
      code: 'not-a-file',
      message: `'${path}' is a symbolic link to a directory; list the directory it points to instead`,
    };
  }
  if (info.isDirectory()) return { ok: true, kind: 'directory', real };
  return { ok: false, code: 'not-a-file', message: `'${path}' is neither a regular file nor a directory` };
}
