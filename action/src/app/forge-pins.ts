import { createHash } from 'node:crypto';
import type { Forge } from '../forge/forge.js';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import { entryDiagnostic, type PinnedEntry } from './validate-request.js';

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
  /** `validateRequest`'s `pinnedEntries`: listed files keep their line in the listing. */
  pinned: readonly PinnedEntry[],
  parsed: ParsedYaml,
  options: ForgePinOptions,
): Promise<Diagnostic[]> {
  const entries = pinned.filter((e) => describeUnsafeItemPath(e.path) === undefined);
  const out: Diagnostic[] = [];
  const toHash: PinnedEntry[] = [];
  for (const entry of entries) {
    if (entry.sha256 === undefined || entry.size === undefined) {
      out.push(
        entryDiagnostic(
          parsed,
          entry,
          '',
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
    if (digest !== undefined && 'unreadable' in digest) {
      out.push(
        entryDiagnostic(
          parsed,
          entry,
          '/path',
          'pin-not-verified',
          `'${entry.path}' could not be read through the forge (${digest.unreadable}); its pin is not verified. Give the action the head's outputs with 'outputs-root'.`,
        ),
      );
    } else if (digest === undefined) {
      out.push(
        entryDiagnostic(
          parsed,
          entry,
          '/path',
          'missing-file',
          `'${entry.path}' is not a file at the head commit ${ref.slice(0, 7)} (looked for ${where}); commit the outputs with the request, or give the action 'outputs-root'.`,
        ),
      );
    } else if (digest.sha256 !== entry.sha256) {
      out.push(
        entryDiagnostic(
          parsed,
          entry,
          '/sha256',
          'hash-mismatch',
          `'${entry.path}' has SHA-256 ${digest.sha256} at the head commit but is pinned as ${entry.sha256}; the file changed since it was locked. Re-run 'egress-gate lock' and ask for new reviews.`,
        ),
      );
    } else if (digest.size !== entry.size) {
      out.push(
        entryDiagnostic(
          parsed,
          entry,
          '/size',
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
): Promise<{ sha256: string; size: number } | { unreadable: string } | undefined> {
  let stream: AsyncIterable<Uint8Array> | undefined;
  try {
    stream = await openFileAt(ref, path);
  } catch (error) {
    // A file the forge will not serve (GitHub: over 100 MB) is a finding about this request; a
    // temporary failure is not, and fails the run so it can be retried.
    if (error instanceof EgressError && !error.transient) return { unreadable: error.message };
    throw error;
  }
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
