import { join } from 'node:path';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { parseManifest } from '../manifest/parse-manifest.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Manifest } from '../manifest/types.js';
import { hashFiles } from '../pack/digest.js';
import { type ItemResolution, resolveItem, resolveOutputsRoot } from '../pack/outputs.js';
import { type Diagnostic, sortDiagnostics } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import { type LoadedRepository, loadRepository } from './load-repository.js';

export interface ValidatedRequest {
  /** Present when the manifest parsed and passed the schema (semantic errors may remain). */
  manifest?: Manifest;
  /** The parsed YAML (document + line counter), for positions and for `lock`. */
  document?: ParsedYaml;
  repo: LoadedRepository;
  /** Problems in the manifest (configuration problems are in `repo.diagnostics`). */
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
  onProgress?: (done: number, total: number, bytes: number) => void;
}

/** One pinned entry of a manifest: an item, or a generation record's script. */
export interface PinnedEntry {
  pointer: string;
  path: string;
  sha256?: string;
  size?: number;
}

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
  });
  const validated: ValidatedRequest = {
    manifest: result.value,
    document: result.parsed,
    repo,
    diagnostics: [...result.diagnostics],
  };
  if (result.value && input.outputsDir !== undefined) {
    // Unsafe paths are already reported by the semantic checks; the rest are still verified.
    const entries = listPinnedEntries(result.value).filter(
      (e) => describeUnsafeItemPath(e.path) === undefined,
    );
    for (const d of await checkPins(result.parsed, entries, input.outputsDir, input.onProgress)) {
      validated.diagnostics.push(d);
    }
  }
  validated.diagnostics = sortDiagnostics(validated.diagnostics);
  return validated;
}

async function checkPins(
  parsed: ParsedYaml,
  entries: PinnedEntry[],
  outputsDir: string,
  onProgress?: (done: number, total: number, bytes: number) => void,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  let root: string;
  try {
    root = await resolveOutputsRoot(outputsDir);
  } catch (error) {
    throw new EgressError('CONFIG', `the outputs root '${outputsDir}' does not exist or cannot be read`, {
      cause: error,
    });
  }
  const toHash: { entry: PinnedEntry; absolutePath: string }[] = [];
  for (const entry of entries) {
    const resolution: ItemResolution = await resolveItem(root, entry.path);
    const at = `${entry.pointer}/path`;
    if (!resolution.ok) {
      out.push(diagnosticAt(parsed, at, resolution.code, `${resolution.message}.`));
    } else if (resolution.directory) {
      out.push(
        diagnosticAt(
          parsed,
          at,
          'unlocked-directory',
          `'${entry.path}' is a directory of ${resolution.files.length} file(s); run 'egress-gate lock' to list and pin them.`,
        ),
      );
    } else if (entry.sha256 === undefined || entry.size === undefined) {
      out.push(
        diagnosticAt(
          parsed,
          entry.pointer,
          'unpinned-item',
          `'${entry.path}' has no sha256/size pin; run 'egress-gate lock'.`,
        ),
      );
    } else {
      toHash.push({ entry, absolutePath: resolution.files[0]!.absolutePath });
    }
  }
  const digests = await hashFiles(
    toHash.map((h) => h.absolutePath),
    { onProgress },
  );
  toHash.forEach(({ entry }, i) => {
    const digest = digests[i]!;
    if (digest.sha256 !== entry.sha256) {
      out.push(
        diagnosticAt(
          parsed,
          `${entry.pointer}/sha256`,
          'hash-mismatch',
          `'${entry.path}' has SHA-256 ${digest.sha256} on disk but is pinned as ${entry.sha256}; the file changed since it was locked. Re-run 'egress-gate lock' and ask for new reviews.`,
        ),
      );
    } else if (digest.size !== entry.size) {
      out.push(
        diagnosticAt(
          parsed,
          `${entry.pointer}/size`,
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
