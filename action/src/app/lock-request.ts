import { createHash } from 'node:crypto';
import { formatListing, inlineDirectoryLimit, listingPathFor } from '../manifest/listing.js';
import { applyPins, type ItemPins } from '../manifest/lock.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Manifest } from '../manifest/types.js';
import { hashFiles } from '../pack/digest.js';
import { resolveItem, resolveOutputsRoot } from '../pack/outputs.js';
import { type Diagnostic, hasErrors } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import type { LoadedRepository } from './load-repository.js';
import { listPinnedEntries, validateRequest } from './validate-request.js';

export interface LockRequestInput {
  files: RepoFiles;
  manifestPath: string;
  /** Absolute outputs root. */
  outputsDir: string;
  repo?: LoadedRepository;
  configDir?: string;
  onProgress?: (done: number, total: number, bytes: number) => void;
}

export interface LockedRequest {
  /** The new manifest text; absent when the manifest has errors lock cannot fix. */
  text?: string;
  /** Listings to write (repository-relative path → text), for directories of many files. */
  listings: { path: string; text: string }[];
  /** True when the manifest or a listing changes. */
  changed: boolean;
  files: number;
  bytes: number;
  diagnostics: Diagnostic[];
  repo: LoadedRepository;
}

interface Plan {
  pointer: string;
  directory: boolean;
  /** Set for a directory kept as one item with a listing. */
  listing?: { file: string; directory: string; collection: string };
  files: { path: string; absolutePath: string }[];
}

/**
 * Pins every item. A directory of up to `inlineDirectoryLimit` files is replaced by its files in
 * the manifest; a larger one (or one that already has a listing) keeps its entry, and its files'
 * pins go to a listing under `requests/<id>/` that the manifest pins by SHA-256. Directories are
 * expanded before treatments are checked, so a treatment may name a file inside a directory.
 * Returns the new texts for the caller to write.
 */
export async function lockRequest(input: LockRequestInput): Promise<LockedRequest> {
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
    configDir: input.configDir,
    expandListings: false,
  });
  const { repo, declared: manifest, document } = validated;
  const failed = (diagnostics: Diagnostic[]): LockedRequest => ({
    changed: false,
    listings: [],
    files: 0,
    bytes: 0,
    diagnostics,
    repo,
  });
  if (!manifest || !document || hasErrors(validated.diagnostics)) return failed(validated.diagnostics);
  let root: string;
  try {
    root = await resolveOutputsRoot(input.outputsDir);
  } catch (error) {
    throw new EgressError(
      'CONFIG',
      `the outputs root '${input.outputsDir}' does not exist or cannot be read`,
      { cause: error },
    );
  }
  const diagnostics: Diagnostic[] = [];
  const plans: Plan[] = [];
  const listed = new Map<number, Set<string>>();
  manifest.collections.forEach((collection, c) => {
    listed.set(c, new Set(collection.items.map((item) => item.path.replace(/\/+$/, ''))));
  });
  for (const entry of listPinnedEntries(manifest)) {
    const resolution = await resolveItem(root, entry.path);
    if (!resolution.ok) {
      diagnostics.push(
        diagnosticAt(document, `${entry.pointer}/path`, resolution.code, `${resolution.message}.`),
      );
      continue;
    }
    let files = resolution.files;
    let listing: Plan['listing'];
    if (resolution.directory) {
      const c = Number(entry.pointer.split('/')[2]);
      const collection = manifest.collections[c]!;
      const explicit = listed.get(c)!;
      files = files.filter((f) => !explicit.has(f.path));
      for (const f of files) explicit.add(f.path);
      if (resolution.files.length === 0) {
        diagnostics.push(
          diagnosticAt(
            document,
            `${entry.pointer}/path`,
            'empty-directory',
            `directory '${entry.path}' holds no files.`,
          ),
        );
        continue;
      }
      const item = collection.items[Number(entry.pointer.split('/')[4])];
      if (files.length > 0 && (files.length > inlineDirectoryLimit || item?.listing)) {
        const directory = entry.path.replace(/\/+$/, '');
        listing = {
          file: listingPathFor(manifest.id, collection.name, directory),
          directory,
          collection: collection.name,
        };
      }
    }
    plans.push({
      pointer: entry.pointer,
      directory: resolution.directory,
      files,
      ...(listing ? { listing } : {}),
    });
  }
  if (diagnostics.length > 0) return failed(diagnostics);
  for (const d of checkTreatments(document, manifest, plans)) diagnostics.push(d);
  if (diagnostics.length > 0) return failed(diagnostics);
  const all = plans.flatMap((p) => p.files.map((f) => f.absolutePath));
  const digests = await hashFiles(all, { onProgress: input.onProgress });
  let next = 0;
  const listings: { path: string; text: string }[] = [];
  let listingsChanged = false;
  const pins: ItemPins[] = [];
  for (const plan of plans) {
    const files = plan.files.map((f) => ({ path: f.path, ...digests[next++]! }));
    if (!plan.listing) {
      pins.push({ pointer: plan.pointer, directory: plan.directory, files });
      continue;
    }
    const text = formatListing(files, {
      manifestPath: input.manifestPath,
      collection: plan.listing.collection,
      directory: plan.listing.directory,
      outputsRoot: repo.config.outputsRoot,
      file: plan.listing.file,
    });
    listings.push({ path: plan.listing.file, text });
    if ((await input.files.readText(plan.listing.file)) !== text) listingsChanged = true;
    pins.push({
      pointer: plan.pointer,
      directory: true,
      files,
      listing: {
        file: plan.listing.file,
        sha256: createHash('sha256').update(text, 'utf8').digest('hex'),
        files: files.length,
        bytes: files.reduce((sum, f) => sum + f.size, 0),
      },
    });
  }
  const text = (await input.files.readText(input.manifestPath)) ?? '';
  const result = applyPins(text, pins);
  return {
    text: result.text,
    listings,
    changed: result.changed || listingsChanged,
    files: all.length,
    bytes: digests.reduce((sum, d) => sum + d.size, 0),
    diagnostics: [],
    repo,
  };
}

/** After expansion: each treatment must name a file that will be pinned, or a folder of them. */
function checkTreatments(document: ParsedYaml, manifest: Manifest, plans: readonly Plan[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  manifest.collections.forEach((collection, c) => {
    const prefix = `/collections/${c}/items/`;
    const files = new Set(
      plans.filter((p) => p.pointer.startsWith(prefix)).flatMap((p) => p.files.map((f) => f.path)),
    );
    collection.discussion?.treatments?.forEach((treatment, t) => {
      const path = treatment.path.replace(/\/+$/, '');
      if (files.has(path)) return;
      for (const file of files) if (file.startsWith(`${path}/`)) return;
      out.push(
        diagnosticAt(
          document,
          `/collections/${c}/discussion/treatments/${t}/path`,
          'unknown-item',
          `treatment for '${treatment.path}', which is no file of collection '${collection.name}' once its directories are listed.`,
        ),
      );
    });
  });
  return out;
}
