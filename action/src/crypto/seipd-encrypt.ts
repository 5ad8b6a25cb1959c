import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import type { CfbWorker } from './cfb-worker.js';
import { createSeipdFraming, type OwnSeipdPlan } from './encrypt.js';
import { MDC_HEADER } from './packet-framing.js';

/** Where the message goes: written in order, synchronously. */
export interface Sink {
  write(pieces: readonly Uint8Array[]): void;
  sha256(): string;
  size(): number;
}

/** Plaintext chunks (1 MiB) handed to the encryption thread before waiting for one back. */
const CREDITS = 4;

/**
 * A whole encrypt-only OpenPGP message — session-key packets, then one SEIPDv1 packet holding a
 * literal data packet — from plaintext chunks whose total length is known in advance. This thread
 * pulls the chunks (the caller's generator reads and hashes files meanwhile), frames them, hashes
 * the MDC and writes; the encryption thread runs AES-256-CFB. At most CREDITS chunks are out at
 * once, so memory stays flat; each chunk's buffer comes back through `recycle` once written.
 */
export async function encryptChunksOwnSeipd(input: {
  chunks: Iterator<Uint8Array, void, undefined>;
  dataBytes: number;
  own: OwnSeipdPlan;
  worker: CfbWorker;
  sink: Sink;
  filename: string;
  date: Date;
  progress?(plaintextBytes: number): void;
  recycle?(buffer: Uint8Array): void;
  stages?: Record<string, number>;
}): Promise<void> {
  const { chunks, worker, sink } = input;
  const framing = createSeipdFraming({
    dataBytes: input.dataBytes,
    filename: input.filename,
    date: input.date,
  });
  const inFlight: Promise<Uint8Array[]>[] = [];
  let produce = 0;
  let write = 0;
  let wait = 0;
  const take = async () => {
    const started = performance.now();
    const ciphertext = await inFlight.shift()!;
    const got = performance.now();
    wait += got - started;
    for (const piece of ciphertext) sink.write(framing.frameCiphertext(piece));
    if (input.recycle) for (const piece of ciphertext) input.recycle(piece);
    write += performance.now() - got;
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
  sink.write([input.own.sessionKeyPackets]);
  sink.write(framing.openCiphertext());
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
  }
  send([...opening, ...framing.endPlaintext()]);
  while (inFlight.length > 0) await take();
  mdc.update(MDC_HEADER);
  const tail = await worker.finish(mdc.digest());
  for (const piece of tail.ciphertext) sink.write(framing.frameCiphertext(piece));
  sink.write(framing.endCiphertext());
  if (input.stages) {
    input.stages['plaintext chunks (main thread)'] = produce;
    input.stages['MDC SHA-1 (main thread)'] = hashing;
    input.stages['AES-256-CFB (encryption thread, busy)'] = tail.busyMs;
    input.stages['package SHA-256 + write (main thread)'] = write;
    input.stages['main thread waiting for the encryption thread'] = wait;
  }
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
