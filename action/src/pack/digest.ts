import { createHash, hash as hashOnce } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** 1 MiB reads: Node's 64 KiB default halved hashing throughput on this machine kind. */
export const readChunkBytes = 1024 * 1024;

export interface FileDigest {
  sha256: string;
  size: number;
}

/** Streams one file through SHA-256 with one reused 1 MiB buffer (memory flat in the file size). */
export async function hashFile(
  absolutePath: string,
  buffer = Buffer.allocUnsafe(readChunkBytes),
): Promise<FileDigest> {
  const handle = await open(absolutePath, 'r');
  try {
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/**
 * The same digest with synchronous reads: a file that fits the buffer is read in one call and
 * hashed in one shot. Small files are latency-bound: sync open/fstat/read/close read 20,000 files
 * of 4 KiB in 0.15 s here, where `fs.promises` with 8–32 in flight took 0.8–1.0 s.
 */
export function hashFileSync(
  absolutePath: string,
  buffer: Uint8Array = Buffer.allocUnsafe(readChunkBytes),
): FileDigest {
  const fd = openSync(absolutePath, 'r');
  try {
    const expected = fstatSync(fd).size;
    let size = 0;
    if (expected < buffer.length) {
      // One read normally gets it all (no second call to see the end: fstat said the size); a
      // short read continues, and a file that grew past the buffer goes on below.
      for (;;) {
        const got = readSync(fd, buffer, size, buffer.length - size, null);
        size += got;
        if (got === 0 || size === expected) {
          return { sha256: hashOnce('sha256', buffer.subarray(0, size), 'hex'), size };
        }
        if (size === buffer.length) break;
      }
    }
    const hash = createHash('sha256');
    hash.update(buffer.subarray(0, size));
    for (;;) {
      const got = readSync(fd, buffer, 0, buffer.length, null);
      if (got === 0) break;
      hash.update(buffer.subarray(0, got));
      size += got;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    closeSync(fd);
  }
}

export interface HashFilesOptions {
  /** Ignored (kept for callers): files are read synchronously, one at a time, which is faster. */
  concurrency?: number;
  /** Called after each file: files done, files total, bytes hashed so far. */
  onProgress?: (done: number, total: number, bytes: number) => void;
}

/**
 * Hashes many files; results keep the order of `paths`. Synchronous reads with one reused buffer
 * (see hashFileSync), yielding to the event loop every ~50 ms so timers, signals and progress
 * output still run during a long pass.
 */
export async function hashFiles(
  paths: readonly string[],
  options: HashFilesOptions = {},
): Promise<FileDigest[]> {
  const results: FileDigest[] = new Array(paths.length);
  const buffer = Buffer.allocUnsafe(readChunkBytes);
  let bytes = 0;
  let slice = performance.now();
  for (let index = 0; index < paths.length; index += 1) {
    const digest = hashFileSync(paths[index]!, buffer);
    results[index] = digest;
    bytes += digest.size;
    options.onProgress?.(index + 1, paths.length, bytes);
    if (performance.now() - slice > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  return results;
}
