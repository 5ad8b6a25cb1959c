import { createHash, randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type * as openpgp from 'openpgp';
import { encryptStream } from '../crypto/encrypt.js';
import { EgressError } from '../shared/errors.js';
import { createArchiveStream, planArchive } from './archive.js';
import type { Receipt } from './receipt-types.js';

export interface PackCollectionOptions {
  /** Complete except `package`/`destination`: its `files` (pinned) are what goes in. */
  receipt: Receipt;
  outputsRoot: string;
  outDir: string;
  encryptionKeys: openpgp.PublicKey[];
  signingKey: openpgp.PrivateKey;
  /** Optional passphrases that also open the package. */
  passwords?: string[];
  /** Called with plaintext bytes archived so far (about once per MiB). */
  onProgress?: (archivedBytes: number, totalBytes: number) => void;
}

export interface PackedCollection {
  /** Final path of the package (`<request>-<collection>.tar.gpg`). */
  path: string;
  file: string;
  sha256: string;
  size: number;
  /** Bytes of the tar stream inside. */
  archiveBytes: number;
}

/** `<request>-<collection>`: the archive's top directory; the package adds `.tar.gpg`. */
export function nameCollectionPackage(receipt: Pick<Receipt, 'request' | 'collection'>): string {
  return `${receipt.request.id}-${receipt.collection.name}`;
}

/**
 * files → tar → sign + encrypt → a temporary file beside the final one → rename. Any failure (a
 * pin that no longer matches, a key problem, a full disk) removes the temporary file, so nothing
 * ever appears under the final name unless it is complete.
 */
export async function packCollection(options: PackCollectionOptions): Promise<PackedCollection> {
  const { receipt } = options;
  const root = nameCollectionPackage(receipt);
  const plan = planArchive({ root, outputsRoot: options.outputsRoot, receipt });
  const totalBytes = receipt.files.reduce((n, f) => n + f.size, 0);
  const file = `${root}.tar.gpg`;
  const finalPath = path.join(options.outDir, file);
  const partPath = path.join(options.outDir, `.${file}.${randomBytes(6).toString('hex')}.partial`);
  await mkdir(options.outDir, { recursive: true });

  let archiveBytes = 0;
  let aborted: unknown;
  // Count progress and keep the archive's own error: openpgp rewraps what fails inside its streams.
  const watched = watchArchive(createArchiveStream(plan), {
    onChunk(bytes) {
      archiveBytes += bytes;
      options.onProgress?.(archiveBytes, totalBytes);
    },
    onError(error) {
      aborted ??= error;
    },
  });

  const out = await open(partPath, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  let closed = false;
  let sha256 = '';
  try {
    const encrypted = await encryptStream({
      plaintext: watched,
      encryptionKeys: options.encryptionKeys,
      signingKey: options.signingKey,
      ...(options.passwords ? { passwords: options.passwords } : {}),
      filename: `${root}.tar`,
      date: new Date(Date.parse(receipt.createdAt) || 0),
    });
    for await (const chunk of encrypted as unknown as AsyncIterable<Uint8Array>) {
      if (aborted !== undefined) break;
      hash.update(chunk);
      size += chunk.length;
      // Synchronous: an awaited write per chunk left the pipeline idle; page-cache writes are fast.
      writeSync(out.fd, chunk);
    }
    if (aborted !== undefined) throw aborted;
    sha256 = hash.digest('hex');
    // No fsync (it cost 1 s per GiB here): the rename guards against a half-written package after a
    // failed run; after a machine crash the package is rebuilt from the pinned outputs.
    await out.close();
    closed = true;
    await rename(partPath, finalPath);
  } catch (error) {
    if (!closed) await out.close().catch(() => undefined);
    await rm(partPath, { force: true });
    if (aborted !== undefined) throw aborted;
    if (error instanceof EgressError) throw error;
    const errno = (error as NodeJS.ErrnoException).code;
    if (typeof errno === 'string') {
      throw new EgressError(
        'INPUT',
        `Cannot write '${partPath}': ${errno}. Nothing was written under '${file}'.`,
        {
          cause: error,
        },
      );
    }
    throw new EgressError('INTEGRITY', `Packing '${root}' failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { path: finalPath, file, sha256, size, archiveBytes };
}

/** Pass chunks through unchanged, noting their sizes and the first error the source raises. */
function watchArchive(
  source: ReadableStream<Uint8Array>,
  on: { onChunk(bytes: number): void; onError(error: unknown): void },
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            controller.close();
            return;
          }
          on.onChunk(next.value.length);
          controller.enqueue(next.value);
        } catch (error) {
          // End the plaintext cleanly instead of erroring it: openpgp leaves promises of its own
          // unobserved when its source errors (an unhandled rejection kills the process before
          // any cleanup). What it still writes goes to the partial file, which is then removed.
          on.onError(error);
          controller.close();
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
