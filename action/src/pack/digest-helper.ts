import { Worker } from 'node:worker_threads';
import { type DigestApis, digestFileSync } from './digest-file-sync.js';

/**
 * A second thread that hashes files of the same list as this one. Both claim the next file from
 * one shared counter, so whichever is free takes it; results land in shared memory. Small files
 * are bound by system calls (open, fstat, read, close: ~14 µs each here); with the thread's start
 * (50–110 ms) two threads hash 20,000 of them in ~20 % less time, 8,000 in ~15 % less.
 */
export interface DigestHelper {
  /** The next index of `paths` for this thread to hash (≥ paths.length: none left). */
  claim(): number;
  /** Files the helper has finished, and their bytes (for progress). */
  done(): { files: number; bytes: number };
  /** Whether the helper is hashing a file now (once none are left to claim: wait for it). */
  busy(): boolean;
  /** Resolves when the helper has stopped claiming (finished, failed or never started). */
  finished: Promise<void>;
  /** The helper's digest of file `index`, or undefined if it did not hash it cleanly. */
  result(index: number): { sha256: string; size: number } | undefined;
  close(): Promise<void>;
}

const HASHED = 1;
const FAILED = 2;

interface SharedDigests {
  paths: readonly string[];
  /** Int32: [next index to claim, files the helper finished, claims it began, claims it ended]. */
  claims: SharedArrayBuffer;
  /** Float64: each file's size, then the helper's bytes so far. */
  sizes: SharedArrayBuffer;
  /** 64 hex characters per file. */
  digests: SharedArrayBuffer;
  /** Uint8 per file: 0, HASHED or FAILED (set by the helper only). */
  states: SharedArrayBuffer;
}

/** The helper's whole program, run from its source text (see digestFileSync). */
function digestHelperMain(digest: typeof digestFileSync, hashed: number, failed: number): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const apis: DigestApis = {
    fs: process.getBuiltinModule('node:fs'),
    crypto: process.getBuiltinModule('node:crypto'),
  };
  const shared = workerData as SharedDigests;
  const claims = new Int32Array(shared.claims);
  const sizes = new Float64Array(shared.sizes);
  const digests = Buffer.from(shared.digests);
  const states = new Uint8Array(shared.states);
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const count = shared.paths.length;
  let bytes = 0;
  for (;;) {
    // Counted as claimed before the claim, so that `busy()` is never wrong about this thread.
    Atomics.add(claims, 2, 1);
    const index = Atomics.add(claims, 0, 1);
    if (index >= count) {
      Atomics.add(claims, 3, 1);
      break;
    }
    let state = failed;
    try {
      const result = digest(apis, shared.paths[index]!, buffer);
      digests.write(result.sha256, index * 64, 'latin1');
      sizes[index] = result.size;
      bytes += result.size;
      sizes[count] = bytes;
      state = hashed;
    } catch {
      // This thread's error is not the one to show: the caller hashes the file again itself.
    }
    Atomics.store(states, index, state);
    Atomics.add(claims, 1, 1);
    Atomics.add(claims, 3, 1);
  }
  parentPort!.postMessage('done');
}

export function startDigestHelper(paths: readonly string[]): DigestHelper {
  const count = paths.length;
  const shared: SharedDigests = {
    paths,
    claims: new SharedArrayBuffer(16),
    sizes: new SharedArrayBuffer(8 * (count + 1)),
    digests: new SharedArrayBuffer(64 * count),
    states: new SharedArrayBuffer(count),
  };
  const claims = new Int32Array(shared.claims);
  const sizes = new Float64Array(shared.sizes);
  const digests = Buffer.from(shared.digests);
  const states = new Uint8Array(shared.states);
  const program = `(${digestHelperMain.toString()})(${digestFileSync.toString()}, ${HASHED}, ${FAILED})`;
  const worker = new Worker(program, { eval: true, workerData: shared });
  const finished = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    // A helper that fails or stops claims nothing more; what it claimed is hashed again here.
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
  return {
    claim: () => Atomics.add(claims, 0, 1),
    done: () => ({ files: Atomics.load(claims, 1), bytes: sizes[count]! }),
    busy: () => Atomics.load(claims, 2) > Atomics.load(claims, 3),
    finished,
    result(index) {
      if (Atomics.load(states, index) !== HASHED) return undefined;
      return { sha256: digests.toString('latin1', index * 64, index * 64 + 64), size: sizes[index]! };
    },
    async close() {
      await worker.terminate();
    },
  };
}
