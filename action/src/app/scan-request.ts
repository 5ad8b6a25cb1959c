import type { DisclosureLimits, Finding } from '../disclosure/finding.js';
import { scanOutputFile } from '../disclosure/scan-file.js';
import type { Manifest } from '../manifest/types.js';
import { resolveItem, resolveOutputsRoot } from '../pack/outputs.js';

export interface CollectionFindings {
  collection: string;
  findings: Finding[];
}

/**
 * Disclosure-risk findings for every file of every collection. Items that cannot be resolved
 * are skipped here: validation already reports them with their position in the manifest.
 */
export async function scanRequestOutputs(
  manifest: Manifest,
  outputsDir: string,
  limits: DisclosureLimits,
  onProgress?: (done: number, total: number) => void,
): Promise<CollectionFindings[]> {
  const root = await resolveOutputsRoot(outputsDir);
  const plan: { collection: string; path: string; absolutePath: string }[] = [];
  for (const collection of manifest.collections) {
    for (const item of collection.items) {
      const resolved = await resolveItem(root, item.path);
      if (!resolved.ok) continue;
      for (const file of resolved.files) plan.push({ collection: collection.name, ...file });
    }
  }
  const results = new Map<string, Finding[]>(manifest.collections.map((c) => [c.name, []]));
  let done = 0;
  for (const file of plan) {
    results.get(file.collection)?.push(...(await scanOutputFile(file.absolutePath, file.path, limits)));
    done += 1;
    onProgress?.(done, plan.length);
  }
  return [...results].map(([collection, findings]) => ({ collection, findings }));
}
