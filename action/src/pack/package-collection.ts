import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type * as openpgp from 'openpgp';
import { startCfbWorker } from '../crypto/cfb-worker.js';
import { encryptStream, prepareOwnSeipd } from '../crypto/encrypt.js';
import {
  createAsyncFileSink,
  createFileSink,
  encryptChunksOwnSeipd,
  type Sink,
} from '../crypto/seipd-encrypt.js';
import { signDetached } from '../crypto/sign-detached.js';
import { EgressError } from '../shared/errors.js';
import { keepYoungGenerationSmall } from '../shared/young-generation.js';
import {
  type ArchivePlan,
  createArchiveStream,
  generateArchiveChunks,
  planSignedArchive,
} from './archive.js';
import { createChunkQueue } from './chunk.js';
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
  /** Called once at the end with where the time went (for `npm run bench`). */
  onProfile?: (profile: PackProfile) => void;
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

export interface PackProfile {
  /** `egress` (own SEIPDv1 framing, two threads) or `openpgp.js` (the fallback, one thread). */
  encryption: 'egress-seipdv1' | 'openpgp.js';
  /** Milliseconds per stage; stages on different threads overlap. */
  stages: Record<string, number>;
}

/** `<request>-<collection>`: the archive's top directory; the package adds `.tar.gpg`. */
export function nameCollectionPackage(receipt: Pick<Receipt, 'request' | 'collection'>): string {
  return `${receipt.request.id}-${receipt.collection.name}`;
}

/**
 * files → tar (with SHA256SUMS and RECEIPT.json, each with a detached signature by the egress
 * key) → encrypt-only OpenPGP message → a temporary file beside the final one → rename. Any
 * failure (a pin that no longer matches, an unsafe path, a key problem, a full disk) rejects with
 * an EgressError and removes the temporary file, so nothing ever appears under the final name
 * unless it is complete.
 *
 * For v4 recipient keys (SEIPDv1, AES-256: what GnuPG 2.2 reads) the message is framed here and
 * encrypted on a second thread while this one reads, hashes and writes; anything else goes through
 * openpgp.js on this thread.
 */
export async function packCollection(options: PackCollectionOptions): Promise<PackedCollection> {
  const { receipt } = options;
  const stages: Record<string, number> = {};
  const clock = startClock(stages);
  const root = nameCollectionPackage(receipt);
  const date = new Date(Date.parse(receipt.createdAt) || 0);
  const own = await prepareOwnSeipd(options.encryptionKeys, options.passwords, new Date());
  clock.lap('session key and its packets (openpgp.js)');
  // The thread starts while this one signs and plans.
  const worker = own ? startCfbWorker(own.sessionKey) : undefined;
  const file = `${root}.tar.gpg`;
  const finalPath = path.join(options.outDir, file);
  const partPath = path.join(options.outDir, `.${file}.${randomBytes(6).toString('hex')}.partial`);
  let out: Awaited<ReturnType<typeof open>> | undefined;
  let closed = false;
  try {
    const plan = await planSignedArchive({
      root,
      outputsRoot: options.outputsRoot,
      receipt,
      signDetached: (bytes) => signDetached(bytes, options.signingKey, date),
    });
    clock.lap('plan, sign SHA256SUMS and RECEIPT.json');
    await mkdir(options.outDir, { recursive: true });
    out = await open(partPath, 'wx', 0o600);
    let written: { sha256: string; size: number };
    const progress = (archived: number) => options.onProgress?.(archived, plan.archiveBytes);
    if (own && worker) {
      const sink = createAsyncFileSink(out.fd);
      const queue = createChunkQueue();
      const chunks = generateArchiveChunks(plan, queue);
      try {
        await encryptChunksOwnSeipd({
          chunks,
          dataBytes: plan.archiveBytes,
          own,
          worker,
          sink,
          filename: `${root}.tar`,
          date,
          progress,
          // From here on the stream's small per-chunk objects must not make V8 grow its young
          // generation: peak RSS would grow with the size of the package (94 → 108 MiB at 8 GiB).
          onEncrypting: keepYoungGenerationSmall,
          recycle: (buffer) => queue.recycle(buffer),
          stages,
        });
      } finally {
        chunks.return(undefined);
      }
      written = { sha256: sink.sha256(), size: sink.size() };
      stages['read + pin SHA-256 + tar framing (main thread)'] = stages['plaintext chunks (main thread)']!;
      delete stages['plaintext chunks (main thread)'];
    } else {
      const syncSink = createFileSink(out.fd);
      await writeWithOpenpgp({ plan, options, sink: syncSink, filename: `${root}.tar`, date, progress });
      written = { sha256: syncSink.sha256(), size: syncSink.size() };
      clock.lap('tar + encrypt + write (openpgp.js, one thread)');
    }
    // No fsync (it cost 1 s per GiB here): the rename guards against a half-written package after a
    // failed run; after a machine crash the package is rebuilt from the pinned outputs.
    await out.close();
    closed = true;
    await rename(partPath, finalPath);
    stages.total = clock.total();
    options.onProfile?.({ encryption: own ? 'egress-seipdv1' : 'openpgp.js', stages });
    return {
      path: finalPath,
      file,
      sha256: written.sha256,
      size: written.size,
      archiveBytes: plan.archiveBytes,
    };
  } catch (error) {
    if (out && !closed) await out.close().catch(() => undefined);
    await rm(partPath, { force: true });
    throw asEgressError(error, partPath, file, root);
  } finally {
    await worker?.close();
  }
}

/** The fallback: openpgp.js encrypts on this thread (recipient keys that need more than SEIPDv1). */
async function writeWithOpenpgp(input: {
  plan: ArchivePlan;
  options: PackCollectionOptions;
  sink: Sink;
  filename: string;
  date: Date;
  progress(archived: number): void;
}): Promise<void> {
  let archived = 0;
  let aborted: unknown;
  const watched = watchArchive(createArchiveStream(input.plan), {
    onChunk(bytes) {
      archived += bytes;
      input.progress(archived);
    },
    onError(error) {
      aborted ??= error;
    },
  });
  const encrypted = await encryptStream({
    plaintext: watched,
    encryptionKeys: input.options.encryptionKeys,
    ...(input.options.passwords ? { passwords: input.options.passwords } : {}),
    filename: input.filename,
    date: input.date,
  });
  for await (const chunk of encrypted as unknown as AsyncIterable<Uint8Array>) {
    if (aborted !== undefined) break;
    input.sink.write([chunk]);
  }
  if (aborted !== undefined) throw aborted;
}

/**
 * Pass chunks through unchanged, noting their sizes and the first error the source raises. The
 * plaintext then ends cleanly instead of erroring: openpgp leaves promises of its own unobserved
 * when its source errors (an unhandled rejection kills the process before any cleanup). What it
 * still writes goes to the partial file, which is then removed.
 */
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

function asEgressError(error: unknown, partPath: string, file: string, root: string): EgressError {
  if (error instanceof EgressError) return error;
  const errno = (error as NodeJS.ErrnoException).code;
  if (typeof errno === 'string') {
    return new EgressError(
      'INPUT',
      `Cannot write '${partPath}': ${errno}. Nothing was written under '${file}'.`,
      {
        cause: error,
      },
    );
  }
  return new EgressError('INTERNAL', `Packing '${root}' failed: ${(error as Error).message}`, {
    cause: error,
  });
}

function startClock(stages: Record<string, number>) {
  const start = performance.now();
  let last = start;
  return {
    lap(name: string) {
      const now = performance.now();
      stages[name] = now - last;
      last = now;
    },
    total: () => performance.now() - start,
  };
}
