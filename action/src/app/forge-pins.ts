import { createHash } from 'node:crypto';
import type { Forge } from '../forge/forge.js';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Manifest } from '../manifest/types.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import { listPinnedEntries, type PinnedEntry } from './validate-request.js';

/**
 * Review-time pin verification without the outputs on the runner: each pinned file is streamed
 * from the forge at the head commit (the outputs are committed with the request) and hashed as it
 * arrives, so memory stays flat in the file's size. Limits (documented in the README): GitHub serves
 * files up to 100 MB through its API, and every file costs one or two API calls, so a request with
 * more than `maxFiles` files must be verified from a checkout (`outputs-root`) instead.
 */
export interface ForgePinOptions {
  /** The outputs root inside the repository (the configuration's `outputsRoot`). */
  outputsRoot: string;
  /** At most this many files are fetched; beyond it the request is not verified. Default 300. */
  maxFiles?: number;
  /** Files fetched at once. Default 4. */
  concurrency?: number;
}

export const defaultMaxForgeFiles = 300;

export async function verifyPinsAtForge(
  forge: Forge,
  ref: string,
  manifest: Manifest,
  parsed: ParsedYaml,
  options: ForgePinOptions,
): Promise<Diagnostic[]> {
  const entries = listPinnedEntries(manifest).filter((e) => describeUnsafeItemPath(e.path) === undefined);
  const out: Diagnostic[] = [];
  const toHash: PinnedEntry[] = [];
  for (const entry of entries) {
    if (entry.sha256 === undefined || entry.size === undefined) {
      out.push(
        diagnosticAt(
          parsed,
          entry.pointer,
          'unpinned-item',
          `'${entry.path}' has no sha256/size pin; run 'egress-gate lock' and commit the result.`,
        ),
      );
    } else {
      toHash.push(entry);
    }
  }
  const maxFiles = options.maxFiles ?? defaultMaxForgeFiles;
  const openFileAt = forge.openFileAt?.bind(forge);
  if (!openFileAt || toHash.length > maxFiles) {
    const why = !openFileAt
      ? 'this forge adapter cannot stream files'
      : `the request pins ${toHash.length} files, more than the ${maxFiles} this action fetches through the forge's API`;
    out.push(
      diagnosticAt(
        parsed,
        '/collections',
        'pins-not-verified',
        `The pins could not be verified: ${why}. Give the action the outputs of the head commit with the 'outputs-root' input (a checkout of the head's outputs as data); until then the request does not pass.`,
      ),
    );
    return out;
  }
  const root = options.outputsRoot.replace(/^\.\/?/, '').replace(/\/+$/, '');
  const results = await mapLimit(toHash, options.concurrency ?? 4, (entry) =>
    hashAt(openFileAt, ref, root === '' ? entry.path : `${root}/${entry.path}`),
  );
  toHash.forEach((entry, i) => {
    const digest = results[i];
    const where = root === '' ? entry.path : `${root}/${entry.path}`;
    if (digest === undefined) {
      out.push(
        diagnosticAt(
          parsed,
          `${entry.pointer}/path`,
          'missing-file',
          `'${entry.path}' is not a file at the head commit ${ref.slice(0, 7)} (looked for ${where}); commit the outputs with the request, or give the action 'outputs-root'.`,
        ),
      );
    } else if (digest.sha256 !== entry.sha256) {
      out.push(
        diagnosticAt(
          parsed,
          `${entry.pointer}/sha256`,
          'hash-mismatch',
          `'${entry.path}' has SHA-256 ${digest.sha256} at the head commit but is pinned as ${entry.sha256}; the file changed since it was locked. Re-run 'egress-gate lock' and ask for new reviews.`,
        ),
      );
    } else if (digest.size !== entry.size) {
      out.push(
        diagnosticAt(
          parsed,
          `${entry.pointer}/size`,
          'size-mismatch',
          `'${entry.path}' is ${digest.size} bytes at the head commit but pinned as ${entry.size}.`,
        ),
      );
    }
  });
  return out;
}

async function hashAt(
  openFileAt: NonNullable<Forge['openFileAt']>,
  ref: string,
  path: string,
): Promise<{ sha256: string; size: number } | undefined> {
  const stream = await openFileAt(ref, path);
  if (stream === undefined) return undefined;
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
