import type { ChangedFile } from '../forge/forge.js';

/** Where requests live: `requests/<id>.yaml`, one level deep. */
export const requestPathPattern = /^requests\/[^/]+\.ya?ml$/;

/**
 * Files read, like the manifest, from the pull request's head: the requests and the listings that
 * `lock` writes for large directories (`requests/<id>/<collection>/<dir>.sha256`). A listing is
 * pinned by its manifest and is not a request of its own.
 */
export const requestFilePattern = /^requests\/(?:[^/]+\.ya?ml|[^/]+\/.+\.sha256)$/;

export interface ChangeClassification {
  /** Request manifests the pull request adds, edits, renames or deletes (both names of a rename). */
  requests: string[];
  /** Trusted configuration the pull request touches. */
  trusted: string[];
}

/**
 * Trusted: the configuration directory, the workflow folders of GitHub, Gitea and Forgejo, the
 * CODEOWNERS files that protect them, and a policy file named by the configuration.
 */
export function isTrustedPath(path: string, configDir: string, policyPath?: string): boolean {
  const dir = configDir.replace(/\/+$/, '');
  return (
    path === dir ||
    path.startsWith(`${dir}/`) ||
    /^\.(github|gitea|forgejo)\/workflows\//.test(path) ||
    /^(\.github\/|\.gitea\/|docs\/)?CODEOWNERS$/.test(path) ||
    (policyPath !== undefined && path === policyPath)
  );
}

export function classifyChanges(
  files: readonly ChangedFile[],
  configDir: string,
  policyPath?: string,
): ChangeClassification {
  const requests = new Set<string>();
  const trusted = new Set<string>();
  for (const f of files) {
    for (const path of f.previousPath ? [f.path, f.previousPath] : [f.path]) {
      if (requestPathPattern.test(path)) requests.add(path);
      if (isTrustedPath(path, configDir, policyPath)) trusted.add(path);
    }
  }
  return { requests: [...requests].sort(), trusted: [...trusted].sort() };
}
