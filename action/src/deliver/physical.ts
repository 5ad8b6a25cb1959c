import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PhysicalDestination } from '../manifest/config-types.js';
import { hashFile, readChunkBytes } from '../pack/digest.js';
import { EgressError } from '../shared/errors.js';
import type { Delivery, DeliveryFile, DeliveryResult } from './delivery.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Copies while hashing, flushes to disk, and renames only when the copy hashes to the pin. */
async function copyVerified(file: DeliveryFile, dir: string): Promise<void> {
  const partial = join(dir, `.${file.remoteName}.partial`);
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(file.localPath, { highWaterMark: readChunkBytes }),
      tap,
      createWriteStream(partial, { flags: 'w', mode: 0o640 }),
    );
    const handle = await open(partial, 'r+');
    await handle.sync().finally(() => handle.close());
    const digest = hash.digest('hex');
    if (digest !== file.sha256) {
      throw new EgressError(
        'INTEGRITY',
        `copy of ${file.remoteName} hashed to ${digest}, expected ${file.sha256}; nothing was delivered`,
      );
    }
    await rename(partial, join(dir, file.remoteName));
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof EgressError) throw error;
    throw new EgressError('DELIVERY', `could not write ${file.remoteName} under ${dir}`, { cause: error });
  }
}

/**
 * A mounted path (a physical disk, or a local folder for the demo). Files appear under their final
 * name only after a verified copy; a re-run with the same files is a no-op.
 */
export function createPhysicalDelivery(destination: PhysicalDestination, repoRoot: string): Delivery {
  const root = resolve(repoRoot, destination.path);
  return {
    kind: 'physical',
    async readExisting(folder, remoteName, maxBytes) {
      if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(remoteName)) return undefined;
      const target = join(root, folder, remoteName);
      const info = await stat(target).catch(() => undefined);
      if (!info) return undefined;
      if (!info.isFile() || info.size > maxBytes) {
        throw new EgressError(
          'DELIVERY',
          `${target} is not a receipt-sized regular file; it was left as it is`,
        );
      }
      return readFile(target, 'utf8');
    },
    async close() {},
    async deliver(folder, files): Promise<DeliveryResult> {
      if (!SAFE_NAME.test(folder)) throw new EgressError('INPUT', `unsafe delivery folder name '${folder}'`);
      const dir = join(root, folder);
      await mkdir(dir, { recursive: true });
      let already = 0;
      for (const file of files) {
        if (!SAFE_NAME.test(file.remoteName)) {
          throw new EgressError('INPUT', `unsafe file name '${file.remoteName}' for a delivery`);
        }
        const target = join(dir, file.remoteName);
        if (await exists(target)) {
          const { sha256: digest } = await hashFile(target);
          if (digest === file.sha256) {
            already += 1;
            continue;
          }
          throw new EgressError(
            'DELIVERY',
            `${target} already exists with different content (sha256 ${digest}); a delivered request is never overwritten`,
          );
        }
        await copyVerified(file, dir);
      }
      return { location: dir, alreadyDelivered: already === files.length };
    },
  };
}
