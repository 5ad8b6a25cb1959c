import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { parseListing } from '../manifest/listing.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Collection, Item, ItemTreatment, Listing, Manifest } from '../manifest/types.js';
import { type FileDigest, hashFiles } from '../pack/digest.js';
import { type ItemResolution, resolveOutputsRoot } from '../pack/outputs.js';
import { createDiagnostic, type Diagnostic, sortDiagnostics } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import { type LoadedRepository, loadRepository } from './load-repository.js';
import { createOutputsResolver, type OutputsResolver } from './outputs-resolver.js';

export interface ValidatedRequest {
  /**
   * Present when the manifest parsed and passed the schema (semantic errors may remain). Directory
   * items with a listing are replaced by one item per listed file (path, sha256, size), and a
   * treatment naming a directory by one per file under it: evaluate, pack and review see files only.
   */
  manifest?: Manifest;
  /** The manifest as written (directory items and their listings as such), for `lock`. */
  declared?: Manifest;
  /** The parsed YAML (document + line counter), for positions and for `lock`. */
  document?: ParsedYaml;
  /**
   * Every file to verify, listed files included, each with where its pin is written: check pins
   * with these (and `entryDiagnostic`) rather than with indices into `manifest`, whose listed
   * files have no node of their own in the manifest.
   */
  pinnedEntries?: PinnedEntry[];
  repo: LoadedRepository;
  /**
   * With `outputsDir`: the outputs root as resolved while checking the pins (listed directories
   * walked once), to hand to `scanRequestOutputs` so it resolves no path a second time.
   */
  outputs?: OutputsResolver;
  /** With `deferHashes`: the pins `finishPinCheck` still has to compare. */
  pendingPins?: PendingPins;
  /** Problems in the manifest and its listings (configuration problems are in `repo.diagnostics`). */
  diagnostics: Diagnostic[];
}

export interface ValidateRequestInput {
  files: RepoFiles;
  /** Repository-relative POSIX path of the manifest. */
  manifestPath: string;
  /** Absolute outputs root; when set, every pin is checked against the file on disk. */
  outputsDir?: string;
  configDir?: string;
  /** Reuse an already loaded repository (several manifests, one configuration). */
  repo?: LoadedRepository;
  /** False for `lock`, which rewrites the listings: they are then neither read nor checked. */
  expandListings?: boolean;
  onProgress?: (done: number, total: number, bytes: number) => void;
  /**
   * With `outputsDir`: resolve and check everything but leave the files' SHA-256 to the caller,
   * who reads every file anyway (the disclosure scan computes the same digest) and then calls
   * `finishPinCheck`. Until then `diagnostics` lacks the hash and size mismatches.
   */
  deferHashes?: boolean;
}

/** Files whose pins still need their digest (see `deferHashes`). */
export interface PendingPins {
  parsed: ParsedYaml;
  files: { entry: PinnedEntry; absolutePath: string }[];
}

/** One pinned entry of a manifest: an item, a file of a listing, or a generation record's script. */
export interface PinnedEntry {
  /** The item's JSON pointer in the manifest (for a listed file: its directory item's). */
  pointer: string;
  path: string;
  sha256?: string;
  size?: number;
  /** For a file named by a listing: where its pin is written. */
  origin?: { file: string; line: number };
}

/** The entries of the manifest as written (a directory item is one entry). */
export function listPinnedEntries(manifest: Manifest): PinnedEntry[] {
  const entries: PinnedEntry[] = [];
  manifest.collections.forEach((collection, c) => {
    collection.items.forEach((item, i) => {
      entries.push({ pointer: `/collections/${c}/items/${i}`, ...item });
    });
    if (collection.generation) {
      entries.push({ pointer: `/collections/${c}/generation/script`, ...collection.generation.script });
    }
  });
  return entries;
}

/** A listed file's problem at its line in the listing; an item's at `pointer + field` in the manifest. */
export function entryDiagnostic(
  parsed: ParsedYaml,
  entry: PinnedEntry,
  field: '' | '/path' | '/sha256' | '/size' | string,
  code: string,
  message: string,
  severity: 'error' | 'warning' = 'error',
): Diagnostic {
  return entry.origin
    ? createDiagnostic({
        file: entry.origin.file,
        line: entry.origin.line,
        column: 1,
        pointer: entry.pointer,
        code,
        severity,
        message,
      })
    : diagnosticAt(parsed, `${entry.pointer}${field}`, code, message, { severity });
}

/** Schema, semantics and (with `outputsDir`) every pin against the disk. Never throws for bad input. */
export async function validateRequest(input: ValidateRequestInput): Promise<ValidatedRequest> {
  const repo = input.repo ?? (await loadRepository(input.files, { configDir: input.configDir }));
  const text = await input.files.readText(input.manifestPath);
  if (text === undefined) {
    throw new EgressError('INPUT', `${input.manifestPath}: no such file in ${input.files.label}`);
  }
  const result = parseManifest(text, input.manifestPath, repo.validators, {
    config: repo.configValid ? repo.config : undefined,
    workPackages: repo.workPackages,
    ...(repo.roles ? { roles: [...repo.roles.classifying, repo.roles.releasing] } : {}),
  });
  const validated: ValidatedRequest = {
    manifest: result.value,
    declared: result.value,
    document: result.parsed,
    repo,
    diagnostics: result.diagnostics.slice(),
  };
  const push = (list: readonly Diagnostic[]) => {
    for (const d of list) validated.diagnostics.push(d);
  };
  if (result.value && input.expandListings !== false) {
    const expanded = await expandListings(input.files, result.parsed, result.value);
    validated.manifest = expanded.manifest;
    validated.pinnedEntries = expanded.entries;
    push(expanded.diagnostics);
    if (input.outputsDir !== undefined) {
      // Unsafe paths are already reported by the semantic checks; the rest are still verified.
      const entries = expanded.entries.filter((e) => describeUnsafeItemPath(e.path) === undefined);
      const pins = await checkPins(
        result.parsed,
        entries,
        expanded.directories,
        input.outputsDir,
        input.onProgress,
        input.deferHashes,
      );
      push(pins.diagnostics);
      validated.outputs = pins.outputs;
      if (pins.pending) validated.pendingPins = pins.pending;
    }
  } else if (result.value && input.outputsDir !== undefined) {
    const entries = listPinnedEntries(result.value).filter(
      (e) => describeUnsafeItemPath(e.path) === undefined,
    );
    const pins = await checkPins(
      result.parsed,
      entries,
      [],
      input.outputsDir,
      input.onProgress,
      input.deferHashes,
    );
    push(pins.diagnostics);
    validated.outputs = pins.outputs;
    if (pins.pending) validated.pendingPins = pins.pending;
  }
  validated.diagnostics = sortDiagnostics(validated.diagnostics);
  return validated;
}

interface ListedDirectory {
  pointer: string;
  path: string;
  listing: Listing;
  listed: ReadonlySet<string>;
}

interface Expansion {
  manifest: Manifest;
  entries: PinnedEntry[];
  directories: ListedDirectory[];
  diagnostics: Diagnostic[];
}

/**
 * Reads each listing (from the same place as the manifest: the pull request's head in review
 * mode), checks it against its pin in the manifest, and replaces its directory item by the files.
 */
async function expandListings(files: RepoFiles, parsed: ParsedYaml, declared: Manifest): Promise<Expansion> {
  const diagnostics: Diagnostic[] = [];
  const entries: PinnedEntry[] = [];
  const directories: ListedDirectory[] = [];
  const collections: Collection[] = [];
  for (const [c, collection] of declared.collections.entries()) {
    // Each declared item keeps its index (so `/collections/c/items/i` still names it in the
    // manifest): a listed directory's first file takes its place, the others follow all items.
    const items: Item[] = collection.items.slice();
    const appended: Item[] = [];
    const explicit = new Set(
      collection.items.filter((i) => !i.listing).map((i) => i.path.replace(/\/+$/, '')),
    );
    for (const [i, item] of collection.items.entries()) {
      const pointer = `/collections/${c}/items/${i}`;
      if (!item.listing) {
        entries.push({ pointer, ...item });
        continue;
      }
      const listing = item.listing;
      const at = (field: string, code: string, message: string) =>
        diagnostics.push(diagnosticAt(parsed, `${pointer}/listing/${field}`, code, message));
      const text = await files.readText(listing.file);
      if (text === undefined) {
        at(
          'file',
          'missing-listing',
          `the listing '${listing.file}' of '${item.path}' is not in ${files.label}; run 'egress-gate lock' and commit the listing with the manifest.`,
        );
        continue;
      }
      const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
      if (sha256 !== listing.sha256) {
        at(
          'sha256',
          'hash-mismatch',
          `the listing '${listing.file}' has SHA-256 ${sha256} but is pinned as ${listing.sha256}; it changed since it was locked. Re-run 'egress-gate lock' and ask for new reviews.`,
        );
        continue;
      }
      const parsedListing = parseListing(text, listing.file, item.path);
      for (const d of parsedListing.diagnostics) diagnostics.push(d);
      if (parsedListing.diagnostics.length > 0) continue;
      const bytes = parsedListing.files.reduce((sum, f) => sum + f.size, 0);
      if (parsedListing.files.length !== listing.files || bytes !== listing.bytes) {
        at(
          'files',
          'size-mismatch',
          `the listing '${listing.file}' names ${parsedListing.files.length} files of ${bytes} bytes, the manifest says ${listing.files} files of ${listing.bytes} bytes; re-run 'egress-gate lock'.`,
        );
        continue;
      }
      const listed = new Set<string>();
      for (const file of parsedListing.files) {
        if (explicit.has(file.path)) {
          diagnostics.push(
            createDiagnostic({
              file: listing.file,
              line: file.line,
              column: 1,
              pointer,
              code: 'duplicate-item',
              severity: 'error',
              message: `'${file.path}' is also listed on its own in collection '${collection.name}'; list each file once.`,
            }),
          );
          continue;
        }
        listed.add(file.path);
        const expandedItem: Item = { path: file.path, sha256: file.sha256, size: file.size };
        if (item.description !== undefined) expandedItem.description = item.description;
        if (items[i] === item) items[i] = expandedItem;
        else appended.push(expandedItem);
        entries.push({
          pointer,
          path: file.path,
          sha256: file.sha256,
          size: file.size,
          origin: { file: listing.file, line: file.line },
        });
      }
      directories.push({ pointer, path: item.path.replace(/\/+$/, ''), listing, listed });
    }
    if (collection.generation) {
      entries.push({ pointer: `/collections/${c}/generation/script`, ...collection.generation.script });
    }
    for (const item of appended) items.push(item);
    const expanded: Collection = { ...collection, items };
    if (collection.discussion?.treatments) {
      expanded.discussion = {
        ...collection.discussion,
        treatments: expandTreatments(collection.discussion.treatments, items),
      };
    }
    collections.push(expanded);
  }
  return { manifest: { ...declared, collections }, entries, directories, diagnostics };
}

/** A treatment naming a directory applies to each file under it that has no treatment of its own. */
function expandTreatments(treatments: readonly ItemTreatment[], items: readonly Item[]): ItemTreatment[] {
  const paths = new Set(items.map((i) => i.path));
  const own = new Set(treatments.map((t) => t.path.replace(/\/+$/, '')));
  const out: ItemTreatment[] = [];
  for (const treatment of treatments) {
    const path = treatment.path.replace(/\/+$/, '');
    if (paths.has(path)) {
      out.push(treatment);
      continue;
    }
    const under = items.filter((i) => i.path.startsWith(`${path}/`) && !own.has(i.path));
    if (under.length === 0) out.push(treatment);
    for (const item of under) out.push({ ...treatment, path: item.path });
  }
  return out;
}

async function checkPins(
  parsed: ParsedYaml,
  entries: PinnedEntry[],
  directories: readonly ListedDirectory[],
  outputsDir: string,
  onProgress?: (done: number, total: number, bytes: number) => void,
  deferHashes = false,
): Promise<{ diagnostics: Diagnostic[]; outputs: OutputsResolver; pending?: PendingPins }> {
  const out: Diagnostic[] = [];
  let root: string;
  try {
    root = await resolveOutputsRoot(outputsDir);
  } catch (error) {
    throw new EgressError('CONFIG', `the outputs root '${outputsDir}' does not exist or cannot be read`, {
      cause: error,
    });
  }
  const at = (
    entry: PinnedEntry,
    field: string,
    code: string,
    message: string,
    severity: 'error' | 'warning' = 'error',
  ) => entryDiagnostic(parsed, entry, field, code, message, severity);
  const toHash: { entry: PinnedEntry; absolutePath: string }[] = [];
  const resolver = createOutputsResolver(root);
  // A listed directory is walked once (symlinks checked on the way) rather than file by file.
  const walked = new Map<string, string>();
  for (const directory of directories) {
    const resolution = await resolver.resolve(directory.path);
    if (!resolution.ok || !resolution.directory) continue; // each listed file reports itself
    const extra: string[] = [];
    for (const file of resolution.files) {
      walked.set(file.path, file.absolutePath);
      resolver.remember(file.path, file.absolutePath);
      if (!directory.listed.has(file.path)) extra.push(file.path);
    }
    if (extra.length > 0) {
      out.push(
        diagnosticAt(
          parsed,
          `${directory.pointer}/path`,
          'listing-outdated',
          `directory '${directory.path}' holds ${extra.length} file(s) its listing does not name (e.g. '${extra[0]}'); they are not part of the request. Re-run 'egress-gate lock' to add them.`,
          { severity: 'warning' },
        ),
      );
    }
  }
  for (const entry of entries) {
    const known = entry.origin ? walked.get(entry.path) : undefined;
    if (known !== undefined && entry.sha256 !== undefined && entry.size !== undefined) {
      toHash.push({ entry, absolutePath: known });
      continue;
    }
    const resolution: ItemResolution = await resolver.resolve(entry.path);
    if (!resolution.ok) {
      out.push(at(entry, '/path', resolution.code, `${resolution.message}.`));
    } else if (resolution.directory) {
      out.push(
        at(
          entry,
          '/path',
          'unlocked-directory',
          `'${entry.path}' is a directory of ${resolution.files.length} file(s); run 'egress-gate lock' to list and pin them.`,
        ),
      );
    } else if (entry.sha256 === undefined || entry.size === undefined) {
      out.push(
        at(entry, '', 'unpinned-item', `'${entry.path}' has no sha256/size pin; run 'egress-gate lock'.`),
      );
    } else {
      toHash.push({ entry, absolutePath: resolution.files[0]!.absolutePath });
    }
  }
  if (deferHashes) return { diagnostics: out, outputs: resolver, pending: { parsed, files: toHash } };
  const digests = await hashFiles(
    toHash.map((h) => h.absolutePath),
    { onProgress },
  );
  out.push(...comparePins(parsed, toHash, digests));
  return { diagnostics: out, outputs: resolver };
}

/**
 * Completes a `deferHashes` validation: each pending file's digest comes from `known` (absolute
 * path → SHA-256 of its bytes, e.g. from the disclosure scan) or is computed here; the mismatches
 * join `validated.diagnostics`, in the same words and order as without deferring.
 */
export async function finishPinCheck(
  validated: ValidatedRequest,
  known: ReadonlyMap<string, string>,
  onProgress?: (done: number, total: number, bytes: number) => void,
): Promise<void> {
  const pending = validated.pendingPins;
  if (!pending) return;
  delete validated.pendingPins;
  const missing = pending.files.filter((f) => !known.has(f.absolutePath));
  const hashed = await hashFiles(
    missing.map((f) => f.absolutePath),
    { onProgress },
  );
  const computed = new Map(missing.map((f, i) => [f.absolutePath, hashed[i]!]));
  const digests = pending.files.map(({ absolutePath }) => {
    const sha256 = known.get(absolutePath);
    // The size matters only when the digest matches (a size pin edited by hand).
    return sha256 === undefined ? computed.get(absolutePath)! : { sha256, size: sizeOf(absolutePath) };
  });
  validated.diagnostics = sortDiagnostics([
    ...validated.diagnostics,
    ...comparePins(pending.parsed, pending.files, digests),
  ]);
}

function sizeOf(absolutePath: string): number {
  try {
    return statSync(absolutePath).size;
  } catch {
    return -1;
  }
}

function comparePins(
  parsed: ParsedYaml,
  toHash: readonly { entry: PinnedEntry; absolutePath: string }[],
  digests: readonly FileDigest[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (entry: PinnedEntry, field: string, code: string, message: string) =>
    entryDiagnostic(parsed, entry, field, code, message);
  toHash.forEach(({ entry }, i) => {
    const digest = digests[i]!;
    if (digest.sha256 !== entry.sha256) {
      out.push(
        at(
          entry,
          '/sha256',
          'hash-mismatch',
          `'${entry.path}' has SHA-256 ${digest.sha256} on disk but is pinned as ${entry.sha256}; the file changed since it was locked. Re-run 'egress-gate lock' and ask for new reviews.`,
        ),
      );
    } else if (digest.size !== entry.size) {
      out.push(
        at(
          entry,
          '/size',
          'size-mismatch',
          `'${entry.path}' is ${digest.size} bytes on disk but pinned as ${entry.size}.`,
        ),
      );
    }
  });
  return out;
}

/** `outputsRoot` of the configuration as an absolute directory under a working tree. */
export function outputsDirOf(repoRoot: string, repo: LoadedRepository): string {
  return join(repoRoot, repo.config.outputsRoot);
}
