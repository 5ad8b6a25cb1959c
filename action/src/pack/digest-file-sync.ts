/** What `digestFileSync` needs of `node:fs` and `node:crypto`, passed in (see below). */
export interface DigestApis {
  fs: Pick<typeof import('node:fs'), 'openSync' | 'fstatSync' | 'readSync' | 'closeSync'>;
  crypto: Pick<typeof import('node:crypto'), 'createHash' | 'hash'>;
}

/**
 * SHA-256 and size of one file with synchronous reads: a file that fits the buffer is read in one
 * call and hashed in one shot. Self-contained on purpose: the hashing thread runs this function's
 * source text, so it uses nothing but its arguments (no imports, no module-level names).
 */
export function digestFileSync(
  apis: DigestApis,
  absolutePath: string,
  buffer: Uint8Array,
): { sha256: string; size: number } {
  const { fs, crypto } = apis;
  const fd = fs.openSync(absolutePath, 'r');
  try {
    const expected = fs.fstatSync(fd).size;
    let size = 0;
    if (expected < buffer.length) {
      // One read normally gets it all (no second call to see the end: fstat said the size); a
      // short read continues, and a file that grew past the buffer goes on below.
      for (;;) {
        const got = fs.readSync(fd, buffer, size, buffer.length - size, null);
        size += got;
        if (got === 0 || size === expected) {
          return { sha256: crypto.hash('sha256', buffer.subarray(0, size), 'hex'), size };
        }
        if (size === buffer.length) break;
      }
    }
    const hash = crypto.createHash('sha256');
    hash.update(buffer.subarray(0, size));
    for (;;) {
      const got = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (got === 0) break;
      hash.update(buffer.subarray(0, got));
      size += got;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    fs.closeSync(fd);
  }
}
