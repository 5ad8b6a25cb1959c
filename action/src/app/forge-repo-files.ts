import type { Forge } from '../forge/forge.js';
import type { RepoFiles } from '../shared/repo-files.js';

/** A repository at one commit, read through the forge's contents API; each path fetched once. */
export function createForgeRepoFiles(forge: Forge, ref: string, label: string): RepoFiles {
  const texts = new Map<string, Promise<string | undefined>>();
  const dirs = new Map<string, Promise<string[]>>();
  return {
    label,
    readText(path) {
      let text = texts.get(path);
      if (!text) {
        text = forge.readFileAt(ref, path);
        texts.set(path, text);
      }
      return text;
    },
    listFiles(dir) {
      let list = dirs.get(dir);
      if (!list) {
        list = forge.listDirAt(ref, dir);
        dirs.set(dir, list);
      }
      return list;
    },
  };
}

/**
 * What review mode validates: the request manifest as the pull request proposes it (head), and
 * everything else (configuration, work packages, keys, a policy file) as the base branch has it.
 */
export function createSplitRepoFiles(
  base: RepoFiles,
  head: RepoFiles,
  isRequestPath: (path: string) => boolean,
): RepoFiles {
  return {
    label: `${head.label} (request) with trusted configuration from ${base.label}`,
    readText: (path) => (isRequestPath(path) ? head.readText(path) : base.readText(path)),
    listFiles: (dir) => base.listFiles(dir),
  };
}
