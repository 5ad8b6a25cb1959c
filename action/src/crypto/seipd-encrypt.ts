import { createHash } from 'node:crypto';
import { writeSync, writev } from 'node:fs';
import type { CfbWorker } from './cfb-worker.js';
import { createSeipdFraming, type OwnSeipdPlan } from './encrypt.js';
import { MDC_HEADER } from './packet-framing.js';

/** Where the message goes: written in order, synchronously. */
export interface Sink {
  write(pieces: readonly Uint8Array[]): void;
  sha256(): string;
  size(): number;
}

/**
 * Where a message goes when written from this thread while it keeps working: bytes are hashed
 * (SHA-256) and counted here, in order, and written by libuv's pool, one write at a time.
 */
export interface AsyncSink {
  /** Resolves when these pieces (and every earlier one) are written; rejects on a write error. */
  writeAsync(pieces: readonly Uint8Array[]): Promise<void>;
  /** Waits until every write has settled (none still uses the descriptor); rejects on the first error. */
  settle(): Promise<void>;
  sha256(): string;
  size(): number;
  /** Milliseconds the pool spent in writes so far (each from its start to its callback). */
  writeMs(): number;
}

/** Plaintext chunks (1 MiB) handed to the encryption thread before waiting for one back. */
const CREDITS = 4;
/** Chunks of ciphertext queued for writing before this thread waits for the oldest write. */
const WRITES_QUEUED = 2;

/**
 * A whole encrypt-only OpenPGP message — session-key packets, then one SEIPDv1 packet holding a
 * literal data packet — from plaintext chunks whose total length is known in advance. This thread
 * pulls the chunks (the caller's generator reads and hashes files meanwhile), frames them, hashes
 * the MDC (SHA-1) and the package (SHA-256); the encryption thread runs AES-256-CFB; libuv's pool
 * writes. That spreads the CPU over two cores whatever writing costs (per GiB here: AES 2.3 s on
 * its thread; read, pins, SHA-1 and SHA-256 2.3 s on this one; the kernel's write of a new file
 * 0.3–1.2 s, depending on free memory, on the pool). At most CREDITS chunks are encrypting and
 * WRITES_QUEUED writing at once, so memory stays flat; each chunk's buffer comes back through
 * `recycle` once written.
 */
export async function encryptChunksOwnSeipd(input: {
  chunks: Iterator<Uint8Array, void, undefined>;
  dataBytes: number;
  own: OwnSeipdPlan;
  worker: CfbWorker;
  sink: AsyncSink;
  filename: string;
  date: Date;
  progress?(plaintextBytes: number): void;
  /** Called once, when the encryption thread has returned its first chunk (it is fully started). */
  onEncrypting?(): void;
  recycle?(buffer: Uint8Array): void;
  stages?: Record<string, number>;
}): Promise<void> {
  const { chunks, worker, sink } = input;
  try {
    await encrypt(input, chunks, worker, sink);
  } finally {
    // Never return while a write still uses the descriptor (the caller closes it next).
    await sink.settle().catch(() => undefined);
  }
}

async function encrypt(
  input: Parameters<typeof encryptChunksOwnSeipd>[0],
  chunks: Iterator<Uint8Array, void, undefined>,
  worker: CfbWorker,
  sink: AsyncSink,
): Promise<void> {
  const framing = createSeipdFraming({
    dataBytes: input.dataBytes,
    filename: input.filename,
    date: input.date,
  });
  const inFlight: Promise<Uint8Array[]>[] = [];
  const writes: Promise<void>[] = [];
  let produce = 0;
  let write = 0;
  let wait = 0;
  let waitWrite = 0;
  let encrypting = false;
  const take = async () => {
    const started = performance.now();
    const ciphertext = await inFlight.shift()!;
    if (!encrypting) {
      encrypting = true;
      input.onEncrypting?.();
    }
    const got = performance.now();
    wait += got - started;
    const pieces: Uint8Array[] = [];
    for (const piece of ciphertext) pieces.push(...framing.frameCiphertext(piece));
    const written = sink.writeAsync(pieces).then(() => {
      if (!input.recycle) return;
      // A chunk may come back as several views (split at a length header): recycle it once.
      const seen = new Set<ArrayBufferLike>();
      for (const piece of ciphertext) {
        if (seen.has(piece.buffer)) continue;
        seen.add(piece.buffer);
        input.recycle(piece);
      }
    });
    written.catch(() => undefined); // awaited below or in settle(); never unobserved
    writes.push(written);
    const hashed = performance.now();
    write += hashed - got;
    while (writes.length > WRITES_QUEUED) await writes.shift();
    waitWrite += performance.now() - hashed;
  };
  // The MDC's SHA-1 runs here, over the plaintext before it moves: AES-CFB alone fills the other thread.
  const mdc = createHash('sha1');
  let hashing = 0;
  const send = (pieces: Uint8Array[]) => {
    const started = performance.now();
    for (const piece of pieces) mdc.update(piece);
    hashing += performance.now() - started;
    const pending = worker.encrypt(pieces);
    pending.catch(() => undefined); // awaited in order by take(); a failure must not go unobserved
    inFlight.push(pending);
  };
  sink.writeAsync([input.own.sessionKeyPackets, ...framing.openCiphertext()]).catch(() => undefined);
  let opening = framing.openPlaintext();
  let plaintextBytes = 0;
  for (;;) {
    const started = performance.now();
    const next = chunks.next();
    produce += performance.now() - started;
    if (next.done) break;
    plaintextBytes += next.value.length;
    input.progress?.(plaintextBytes);
    send([...opening, ...framing.framePlaintext(next.value)]);
    opening = [];
    if (inFlight.length >= CREDITS) await take();
    // Let the event loop see a finished write, so the next one starts now rather than when this
    // thread next waits (the pool would otherwise sit idle while this thread reads and hashes).
    else if (writes.length > 0) await new Promise((resolve) => setImmediate(resolve));
  }
  send([...opening, ...framing.endPlaintext()]);
  while (inFlight.length > 0) await take();
  mdc.update(MDC_HEADER);
  const tail = await worker.finish(mdc.digest());
  const last: Uint8Array[] = [];
  for (const piece of tail.ciphertext) last.push(...framing.frameCiphertext(piece));
  last.push(...framing.endCiphertext());
  sink.writeAsync(last).catch(() => undefined);
  const settling = performance.now();
  await sink.settle();
  waitWrite += performance.now() - settling;
  if (input.stages) {
    input.stages['plaintext chunks (main thread)'] = produce;
    input.stages['MDC SHA-1 (main thread)'] = hashing;
    input.stages['AES-256-CFB (encryption thread, busy)'] = tail.busyMs;
    input.stages['SEIPD framing + package SHA-256 (main thread)'] = write;
    input.stages['main thread waiting for the encryption thread'] = wait;
    input.stages['main thread waiting for writes'] = waitWrite;
    input.stages['write (libuv pool, overlaps the others)'] = sink.writeMs();
  }
}

/**
 * Hashes and counts here, writes on libuv's pool: one `writev` at a time, in order (several at once
 * on one file cost twice the kernel time here), each taking everything queued since the last one
 * began, so the pool keeps up however late this busy thread sees a write finish.
 */
export function createAsyncFileSink(fd: number): AsyncSink {
  const hash = createHash('sha256');
  let digest: string | undefined;
  let queuedBytes = 0;
  let writtenBytes = 0;
  let writing = 0;
  let busy = false;
  let failure: unknown;
  const queued: Uint8Array[] = [];
  const waiters: { end: number; resolve(): void; reject(error: unknown): void }[] = [];
  const waitFor = (end: number) =>
    new Promise<void>((resolve, reject) => {
      if (failure !== undefined) reject(failure);
      else if (end <= writtenBytes) resolve();
      else waiters.push({ end, resolve, reject });
    });
  const pump = () => {
    if (busy || failure !== undefined || queued.length === 0) return;
    busy = true;
    const views = queued.splice(0, 1024); // IOV_MAX
    const started = performance.now();
    writev(fd, views, null, (error, bytes) => {
      writing += performance.now() - started;
      busy = false;
      if (error) {
        failure = error;
        for (const waiter of waiters.splice(0)) waiter.reject(error);
        return;
      }
      writtenBytes += bytes;
      // A short write: what is left goes first next time.
      let skip = bytes;
      const rest: Uint8Array[] = [];
      for (const view of views) {
        if (skip >= view.length) skip -= view.length;
        else {
          rest.push(skip > 0 ? view.subarray(skip) : view);
          skip = 0;
        }
      }
      queued.unshift(...rest);
      while (waiters.length > 0 && waiters[0]!.end <= writtenBytes) waiters.shift()!.resolve();
      pump();
    });
  };
  return {
    writeAsync(pieces) {
      for (const piece of pieces) {
        if (piece.length === 0) continue;
        hash.update(piece);
        queuedBytes += piece.length;
        queued.push(piece);
      }
      const written = waitFor(queuedBytes);
      pump();
      return written;
    },
    // No write is running once every byte is written, or once one has failed.
    settle: () => waitFor(queuedBytes),
    sha256() {
      digest ??= hash.digest('hex');
      return digest;
    },
    size: () => queuedBytes,
    writeMs: () => writing,
  };
}

/** Writes synchronously (an awaited write per chunk left the pipeline idle) and hashes the package. */
export function createFileSink(fd: number): Sink {
  const hash = createHash('sha256');
  let size = 0;
  let digest: string | undefined;
  return {
    write(pieces) {
      for (const piece of pieces) {
        if (piece.length === 0) continue;
        hash.update(piece);
        size += piece.length;
        let offset = 0;
        while (offset < piece.length) offset += writeSync(fd, piece, offset, piece.length - offset);
      }
    },
    sha256() {
      digest ??= hash.digest('hex');
      return digest;
    },
    size: () => size,
  };
}
