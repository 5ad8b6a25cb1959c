/**
 * Fills fixed-size chunks (1 MiB by default). openpgp costs the same per chunk whatever its size,
 * so tar's 512-byte headers and small files must reach it merged: measured 5.4 s → 0.96 s for a
 * 20,000-file tree. File bodies are read straight into the free space (no copy).
 */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface ChunkQueue {
  /** Copy bytes in; full chunks wait in `drain()`. */
  put(bytes: Uint8Array): void;
  /** The free tail of the current chunk, to read into; follow with `commit(n)`. */
  space(): Uint8Array;
  commit(count: number): void;
  /** Full chunks, oldest first; each is handed over once and never written again. */
  drain(): Generator<Uint8Array>;
  /** How many full chunks wait (cheaper than `drain()` when, as after most small files, none do). */
  ready(): number;
  /** The oldest full chunk (call only while `ready() > 0`). */
  take(): Uint8Array;
  /** The last, partial chunk (undefined when empty). */
  flush(): Uint8Array | undefined;
  /** Hand a chunk's buffer back once its consumer is done with it; the queue fills it again. */
  recycle(chunk: Uint8Array): void;
}

export function createChunkQueue(chunkBytes = DEFAULT_CHUNK_BYTES): ChunkQueue {
  // Unzeroed: every byte handed out was written (tar padding is written explicitly).
  // Reused buffers keep memory and page faults flat: dead 1 MiB buffers otherwise pile up until
  // V8 collects them, glibc returns the pages, and every page faults again.
  const free: Uint8Array[] = [];
  const fresh = () => free.pop() ?? Buffer.allocUnsafeSlow(chunkBytes);
  let current: Uint8Array = fresh();
  let used = 0;
  const full: Uint8Array[] = [];
  const rotate = () => {
    if (used < chunkBytes) return;
    full.push(current);
    current = fresh();
    used = 0;
  };
  return {
    put(bytes) {
      let offset = 0;
      while (offset < bytes.length) {
        const count = Math.min(bytes.length - offset, chunkBytes - used);
        current.set(bytes.subarray(offset, offset + count), used);
        used += count;
        offset += count;
        rotate();
      }
    },
    space() {
      return current.subarray(used);
    },
    commit(count) {
      used += count;
      rotate();
    },
    *drain() {
      while (full.length > 0) yield full.shift()!;
    },
    ready: () => full.length,
    take: () => full.shift()!,
    flush() {
      if (used === 0) return undefined;
      const last = current.subarray(0, used);
      current = fresh();
      used = 0;
      return last;
    },
    recycle(chunk) {
      if (chunk.buffer.byteLength !== chunkBytes || free.length >= 8) return;
      // Once per buffer, and never the one being filled: a buffer handed out twice would be
      // overwritten while it waits to be encrypted.
      if (chunk.buffer === current.buffer || free.some((f) => f.buffer === chunk.buffer)) return;
      free.push(new Uint8Array(chunk.buffer, 0, chunkBytes));
    },
  };
}
