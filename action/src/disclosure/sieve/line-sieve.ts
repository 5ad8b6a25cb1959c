import { Worker } from 'node:worker_threads';
import { EgressError } from '../../shared/errors.js';
import { SIEVE_WASM_BASE64 } from './sieve-wasm.js';

/**
 * The line sieve (sieve.c, WebAssembly SIMD): given a chunk of whole lines and what each column of
 * the table has to pass, it reports the lines the JavaScript checks must read. The rest are lines
 * the checks would neither report nor learn from, so large tables cost a SIMD pass, not a
 * JavaScript pass over every cell.
 */

/** Column modes, as sieve.c numbers them. */
export const SIEVE_FREE = 0;
export const SIEVE_COUNT = 1;
export const SIEVE_WHOLE = 2;

export interface SieveJob {
  /** The field separator's byte, or 0 for plain text (no columns). */
  delimiter: number;
  /** One mode per header column; empty for plain text. */
  modes: Uint8Array;
  /** COUNT cells below this fail (a whole number). */
  minCount: number;
  /** COUNT cells that are not a multiple of this fail (0: no rounding rule). */
  base: number;
}

export interface SieveResult {
  /** Lines in the chunk. */
  lines: number;
  /** Pairs: the reported line's index in the chunk, and its first byte's offset. */
  reported: Uint32Array;
}

export interface LineSieve {
  /** The largest chunk the sieve takes, in bytes. */
  readonly capacity: number;
  /** The most columns a table may have to be sieved. */
  readonly maxColumns: number;
  /**
   * Sieves `buffer[0, length)`, which must end with a line feed. The buffer may travel to another
   * thread (the caller must not touch it until the promise settles) and comes back in the answer.
   */
  sieve(
    buffer: ArrayBuffer,
    length: number,
    job: SieveJob,
  ): Promise<{ buffer: ArrayBuffer; result: SieveResult }>;
  close(): Promise<void>;
}

interface SieveExports {
  memory: WebAssembly.Memory;
  input(): number;
  modes(): number;
  outLine(): number;
  outStart(): number;
  capacity(): number;
  maxColumns(): number;
  lines(): number;
  configure(delimiter: number, columns: number, minCount: number, base: number): void;
  run(length: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** The compiled module (2–3 KB; compiled once per process, shared with the worker threads). */
export function sieveModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(SIEVE_WASM_BASE64, 'base64'));
  return compiled;
}

/**
 * Runs one chunk through an instance. Self-contained (no imports, no closures): the worker
 * threads run it from its source text.
 */
function runSieve(exports: SieveExports, bytes: Uint8Array, job: SieveJob): SieveResult {
  const memory = new Uint8Array(exports.memory.buffer);
  memory.set(bytes, exports.input());
  memory.set(job.modes, exports.modes());
  exports.configure(job.delimiter, job.modes.length, job.minCount, job.base);
  const count = exports.run(bytes.length);
  const lines = new Uint32Array(exports.memory.buffer, exports.outLine(), count);
  const starts = new Uint32Array(exports.memory.buffer, exports.outStart(), count);
  const reported = new Uint32Array(count * 2);
  for (let i = 0; i < count; i += 1) {
    reported[2 * i] = lines[i]!;
    reported[2 * i + 1] = starts[i]!;
  }
  return { lines: exports.lines(), reported };
}

function instantiate(): SieveExports {
  return new WebAssembly.Instance(sieveModule()).exports as unknown as SieveExports;
}

/** A sieve on the calling thread: for small files and tests. */
export function createLocalSieve(): LineSieve {
  const exports = instantiate();
  return {
    capacity: exports.capacity(),
    maxColumns: exports.maxColumns(),
    async sieve(buffer, length, job) {
      return { buffer, result: runSieve(exports, new Uint8Array(buffer, 0, length), job) };
    },
    async close() {},
  };
}

/** The worker's program, run from its source text (see cfb-worker.ts for why it says no `require`). */
function sieveWorkerMain(run: typeof runSieve): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const exports = new WebAssembly.Instance(workerData.module as WebAssembly.Module)
    .exports as unknown as SieveExports;
  parentPort!.on('message', (message: { id: number; buffer: ArrayBuffer; length: number; job: SieveJob }) => {
    const result = run(exports, new Uint8Array(message.buffer, 0, message.length), message.job);
    parentPort!.postMessage({ id: message.id, buffer: message.buffer, result }, [
      message.buffer,
      result.reported.buffer as ArrayBuffer,
    ]);
  });
}

/**
 * Sieves on `threads` worker threads, chunks handed out in turn; answers arrive per chunk, so the
 * caller keeps its own order. Beside the thread that reads and hashes, two sieving threads keep
 * both cores busy.
 */
export function createSievePool(threads = 2): LineSieve {
  const local = instantiate();
  const source = `(${sieveWorkerMain.toString()})(${runSieve.toString()})`;
  const workers = Array.from(
    { length: threads },
    () => new Worker(source, { eval: true, workerData: { module: sieveModule() } }),
  );
  const pending = new Map<
    number,
    { resolve(value: { buffer: ArrayBuffer; result: SieveResult }): void; reject(error: unknown): void }
  >();
  let failure: unknown;
  const failAll = (error: unknown) => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
  };
  for (const worker of workers) {
    worker.on('message', (reply: { id: number; buffer: ArrayBuffer; result: SieveResult }) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      waiter?.resolve({ buffer: reply.buffer, result: reply.result });
    });
    worker.on('error', (error) =>
      failAll(
        new EgressError('INTERNAL', `A disclosure-check thread failed: ${error.message}`, { cause: error }),
      ),
    );
    worker.on('exit', (code) => {
      if (pending.size > 0)
        failAll(new EgressError('INTERNAL', `A disclosure-check thread stopped (exit ${code}).`));
    });
  }
  let nextId = 0;
  return {
    capacity: local.capacity(),
    maxColumns: local.maxColumns(),
    sieve(buffer, length, job) {
      return new Promise((resolve, reject) => {
        if (failure !== undefined) {
          reject(failure);
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject });
        workers[id % workers.length]!.postMessage({ id, buffer, length, job }, [buffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
