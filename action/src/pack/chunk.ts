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
  /** The last, partial chunk (undefined when empty). */
  flush(): Uint8Array | undefined;
}

export function createChunkQueue(chunkBytes = DEFAULT_CHUNK_BYTES): ChunkQueue {
  // Unzeroed: every byte handed out was written (tar padding is written explicitly).
  let current: Uint8Array = Buffer.allocUnsafeSlow(chunkBytes);
  let used = 0;
  const full: Uint8Array[] = [];
  const rotate = () => {
    if (used < chunkBytes) return;
    full.push(current);
    current = Buffer.allocUnsafeSlow(chunkBytes);
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
    flush() {
      if (used === 0) return undefined;
      const last = current.subarray(0, used);
      current = Buffer.allocUnsafeSlow(chunkBytes);
      used = 0;
      return last;
    },
  };
}
