import { applyPins, type ItemPins } from '../manifest/lock.js';
import { diagnosticAt } from '../manifest/parse-yaml.js';
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
  changed: boolean;
  files: number;
  bytes: number;
  diagnostics: Diagnostic[];
  repo: LoadedRepository;
}

/** Pins every item (directories become their files); returns the new text for the caller to write. */
export async function lockRequest(input: LockRequestInput): Promise<LockedRequest> {
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
    configDir: input.configDir,
  });
  const { repo, manifest, document } = validated;
  const failed = (diagnostics: Diagnostic[]): LockedRequest => ({
    changed: false,
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
  const plans: { pointer: string; directory: boolean; files: { path: string; absolutePath: string }[] }[] =
    [];
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
    if (resolution.directory) {
      const collection = Number(entry.pointer.split('/')[2]);
      const explicit = listed.get(collection)!;
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
    }
    plans.push({ pointer: entry.pointer, directory: resolution.directory, files });
  }
  if (diagnostics.length > 0) return failed(diagnostics);
  const all = plans.flatMap((p) => p.files.map((f) => f.absolutePath));
  const digests = await hashFiles(all, { onProgress: input.onProgress });
  let next = 0;
  const pins: ItemPins[] = plans.map((plan) => ({
    pointer: plan.pointer,
    directory: plan.directory,
    files: plan.files.map((f) => ({ path: f.path, ...digests[next++]! })),
  }));
  const text = (await input.files.readText(input.manifestPath)) ?? '';
  const result = applyPins(text, pins);
  return {
    text: result.text,
    changed: result.changed,
    files: all.length,
    bytes: digests.reduce((sum, d) => sum + d.size, 0),
    diagnostics: [],
    repo,
  };
}
