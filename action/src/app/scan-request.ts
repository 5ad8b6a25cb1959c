import type { DisclosureLimits, Finding } from '../disclosure/finding.js';
import { scanOutputFile } from '../disclosure/scan-file.js';
import type { Manifest } from '../manifest/types.js';
import { resolveItem, resolveOutputsRoot } from '../pack/outputs.js';

export interface CollectionFindings {
  collection: string;
  findings: Finding[];
  /** Items that could not be read (missing, unsafe, outside the root): nothing was checked there. */
  unreadable: { path: string; message: string }[];
}

/**
 * Disclosure-risk findings for every file of every collection. Items that cannot be resolved are
 * listed as unreadable, so that "no findings" is never said of a file that was not read.
 */
export async function scanRequestOutputs(
  manifest: Manifest,
  outputsDir: string,
  limits: DisclosureLimits,
  onProgress?: (done: number, total: number) => void,
): Promise<CollectionFindings[]> {
  const root = await resolveOutputsRoot(outputsDir);
  const results = new Map<string, CollectionFindings>(
    manifest.collections.map((c) => [c.name, { collection: c.name, findings: [], unreadable: [] }]),
  );
  const plan: { collection: string; path: string; absolutePath: string }[] = [];
  for (const collection of manifest.collections) {
    for (const item of collection.items) {
      const resolved = await resolveItem(root, item.path);
      if (resolved.ok) for (const file of resolved.files) plan.push({ collection: collection.name, ...file });
      else results.get(collection.name)?.unreadable.push({ path: item.path, message: resolved.message });
    }
  }
  let done = 0;
  for (const file of plan) {
    results
      .get(file.collection)
      ?.findings.push(...(await scanOutputFile(file.absolutePath, file.path, limits)));
    done += 1;
    onProgress?.(done, plan.length);
  }
  return [...results.values()];
}
