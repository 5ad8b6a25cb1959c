import { Worker } from 'node:worker_threads';
import { EgressError } from '../shared/errors.js';

/**
 * AES-256-CFB of a SEIPDv1 packet on a second thread. The main thread reads, hashes pins and the
 * MDC, frames the tar and the packets and hashes the package; this thread encrypts; the write
 * goes to libuv's pool. Chunks travel as transferred
 * ArrayBuffers (no copy) and come back holding their ciphertext, so the reader reuses them and
 * nothing big is allocated per chunk. Only the session key reaches the worker, never the signing key.
 */
export interface CfbWorker {
  /**
   * Encrypt the next plaintext pieces, in place: big buffers move to the thread and come back
   * holding the ciphertext (the caller must not touch them meanwhile); small ones are copied.
   */
  encrypt(pieces: Uint8Array[]): Promise<Uint8Array[]>;
  /**
   * Append the MDC packet and return its ciphertext. `mdc` is the SHA-1 of everything encrypted
   * followed by the MDC header 0xD3 0x14 (the caller hashes the plaintext: that balances the threads).
   */
  finish(mdc: Uint8Array): Promise<{ ciphertext: Uint8Array[]; busyMs: number }>;
  /** Stop the thread (after finish, or to abort). */
  close(): Promise<void>;
}

type Reply =
  | { type: 'data'; id: number; ciphertext: Uint8Array[] }
  | { type: 'end'; id: number; ciphertext: Uint8Array[]; busyMs: number };

/**
 * The worker's whole program, run from its source text so that the bundle needs no second file.
 * It must not close over anything, nor say `require` (bundlers rewrite that name): built-ins come
 * from `process.getBuiltinModule` (Node ≥ 20.16).
 */
function cfbWorkerMain(): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const crypto = process.getBuiltinModule('node:crypto');
  const port = parentPort!;
  const cipher = crypto.createCipheriv('aes-256-cfb', workerData.key as Uint8Array, new Uint8Array(16));
  let busy = 0;
  // cipher.update allocates its output; copied back into the plaintext buffer, that output is
  // garbage at once. Left to V8, ~64 MiB of it piles up before a collection (RSS grows, and the
  // pages fault again after glibc returns them), so free it now: ArrayBuffer#transfer(0) where
  // the runtime has it (Node ≥ 21), otherwise a young-generation collection every few chunks.
  // CPU per GiB here: updates of 256–768 KiB 2.0 s; of ~1 MiB 3.2 s, of which 1.1 s in the kernel
  // (glibc maps and unmaps each output that large).
  const STEP = 512 * 1024;
  const detach = (ArrayBuffer.prototype as { transfer?: (length: number) => ArrayBuffer }).transfer;
  let collect: ((options: { type: 'minor' }) => void) | undefined;
  if (!detach) {
    process.getBuiltinModule('node:v8').setFlagsFromString('--expose-gc');
    collect = process.getBuiltinModule('node:vm').runInNewContext('gc');
  }
  let messages = 0;
  const release = (output: Uint8Array) => {
    const buffer = output.buffer as ArrayBuffer;
    if (detach && buffer.byteLength > 8192 && output.byteLength === buffer.byteLength) detach.call(buffer, 0);
  };
  // Transfer big buffers only: small ones may be slices of Node's shared 8 KiB pool.
  const transferable = (views: Uint8Array[]) => {
    const list = new Set<ArrayBuffer>();
    for (const view of views) if (view.buffer.byteLength > 8192) list.add(view.buffer as ArrayBuffer);
    return [...list];
  };
  port.on(
    'message',
    (message: { type: 'data' | 'end'; id: number; pieces?: Uint8Array[]; mdc?: Uint8Array }) => {
      const started = performance.now();
      if (message.type === 'data') {
        const pieces = message.pieces!;
        for (const piece of pieces) {
          for (let at = 0; at < piece.length; at += STEP) {
            const step = piece.subarray(at, Math.min(at + STEP, piece.length));
            const output = cipher.update(step);
            // CFB is a stream mode: the ciphertext is exactly as long as the plaintext.
            step.set(output);
            release(output);
          }
        }
        if (collect && ++messages % 8 === 0) collect({ type: 'minor' });
        busy += performance.now() - started;
        port.postMessage({ type: 'data', id: message.id, ciphertext: pieces }, transferable(pieces));
        return;
      }
      const ciphertext = [
        cipher.update(Uint8Array.of(0xd3, 0x14)),
        cipher.update(message.mdc!),
        cipher.final(),
      ];
      busy += performance.now() - started;
      port.postMessage({ type: 'end', id: message.id, ciphertext, busyMs: busy });
    },
  );
}

export function startCfbWorker(key: Uint8Array): CfbWorker {
  if (key.length !== 32) throw new EgressError('INTERNAL', 'AES-256 needs a 32-byte session key.');
  const worker = new Worker(`(${cfbWorkerMain.toString()})()`, { eval: true, workerData: { key } });
  const pending = new Map<number, { resolve(reply: Reply): void; reject(error: unknown): void }>();
  let nextId = 0;
  let failure: unknown;
  const failAll = (error: unknown) => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    waiter?.resolve(reply);
  });
  worker.on('error', (error) =>
    failAll(new EgressError('INTERNAL', `The encryption thread failed: ${error.message}`, { cause: error })),
  );
  worker.on('exit', (code) => {
    if (pending.size > 0)
      failAll(new EgressError('INTERNAL', `The encryption thread stopped (exit ${code}).`));
  });
  const send = (type: 'data' | 'end', pieces?: Uint8Array[], mdc?: Uint8Array) =>
    new Promise<Reply>((resolve, reject) => {
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve, reject });
      // Big buffers move (the caller must not touch them until they come back); small ones are copied.
      const transfer = new Set<ArrayBuffer>();
      for (const piece of pieces ?? [])
        if (piece.buffer.byteLength > 8192) transfer.add(piece.buffer as ArrayBuffer);
      worker.postMessage({ type, id, pieces, mdc }, [...transfer]);
    });
  return {
    async encrypt(pieces) {
      const reply = await send('data', pieces);
      if (reply.type !== 'data')
        throw new EgressError('INTERNAL', 'The encryption thread answered out of turn.');
      return reply.ciphertext;
    },
    async finish(mdc) {
      const reply = await send('end', undefined, mdc);
      if (reply.type !== 'end')
        throw new EgressError('INTERNAL', 'The encryption thread answered out of turn.');
      return { ciphertext: reply.ciphertext, busyMs: reply.busyMs };
    },
    async close() {
      await worker.terminate();
    },
  };
}
