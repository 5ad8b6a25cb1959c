import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PhysicalDestination } from '../manifest/config-types.js';
import { hashFile, readChunkBytes } from '../pack/digest.js';
import { EgressError } from '../shared/errors.js';
import type {
  Custody,
  Delivery,
  DeliveryContext,
  DeliveryFile,
  DeliveryProgress,
  DeliveryResult,
} from './delivery.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Flushes a file or directory to the device; some filesystems refuse it on directories. */
async function flush(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  await handle.sync().finally(() => handle.close());
}

function isOutOfSpace(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

function outOfSpace(root: string, file: DeliveryFile, detail: string, cause?: unknown): EgressError {
  return new EgressError(
    'DELIVERY',
    `not enough space on ${root} for ${file.remoteName} (${file.size} bytes; ${detail}): nothing was delivered under its name and no partial copy was left. Free space on the device or use a larger one, then run the delivery again`,
    cause === undefined ? {} : { cause },
  );
}

/** Copies while hashing, flushes to disk, and renames only when the copy hashes to the pin. */
async function copyVerified(
  file: DeliveryFile,
  dir: string,
  root: string,
  onProgress: DeliveryProgress | undefined,
): Promise<void> {
  const partial = join(dir, `.${file.remoteName}.partial`);
  const hash = createHash('sha256');
  let copied = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      copied += chunk.length;
      onProgress?.(file.remoteName, copied, file.size);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(file.localPath, { highWaterMark: readChunkBytes }),
      tap,
      createWriteStream(partial, { flags: 'w', mode: 0o640 }),
    );
    await flush(partial, 'r+');
    const digest = hash.digest('hex');
    if (digest !== file.sha256) {
      throw new EgressError(
        'INTEGRITY',
        `copy of ${file.remoteName} hashed to ${digest}, expected ${file.sha256}; nothing was delivered`,
      );
    }
    await rename(partial, join(dir, file.remoteName));
    // The rename itself must reach the device before the disk leaves the building.
    await flush(dir, 'r').catch(() => undefined);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof EgressError) throw error;
    if (isOutOfSpace(error)) throw outOfSpace(root, file, 'the device filled up while copying', error);
    throw new EgressError('DELIVERY', `could not write ${file.remoteName} under ${dir}`, { cause: error });
  }
}

/**
 * A mounted path (a physical disk, or a local folder for the demo). Files appear under their final
 * name only after a verified, flushed copy; a re-run with the same files is a no-op. Each delivery
 * that writes returns a chain-of-custody entry: who (the context's actor), when (its clock), and
 * the destination's `deviceLabel` (the mounted path when none is configured).
 */
export function createPhysicalDelivery(destination: PhysicalDestination, context: DeliveryContext): Delivery {
  const root = resolve(context.repoRoot, destination.path);
  const now = context.now ?? (() => new Date());
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
    async deliver(folder, files, onProgress): Promise<DeliveryResult> {
      if (!SAFE_NAME.test(folder)) throw new EgressError('INPUT', `unsafe delivery folder name '${folder}'`);
      const dir = join(root, folder);
      await mkdir(dir, { recursive: true });
      const todo: DeliveryFile[] = [];
      for (const file of files) {
        if (!SAFE_NAME.test(file.remoteName)) {
          throw new EgressError('INPUT', `unsafe file name '${file.remoteName}' for a delivery`);
        }
        const target = join(dir, file.remoteName);
        if (await exists(target)) {
          const { sha256: digest } = await hashFile(target);
          if (digest === file.sha256) continue;
          throw new EgressError(
            'DELIVERY',
            `${target} already exists with different content (sha256 ${digest}); a delivered request is never overwritten`,
          );
        }
        todo.push(file);
      }
      // Refuse up front when the files cannot fit, rather than fill the disk and fail half way.
      const space = await statfs(dir).catch(() => undefined);
      const needed = todo.reduce((sum, file) => sum + file.size, 0);
      const free = space ? space.bavail * space.bsize : Number.POSITIVE_INFINITY;
      if (todo.length > 0 && needed > free) {
        throw outOfSpace(root, todo[0] as DeliveryFile, `${needed} bytes needed in all, ${free} free`);
      }
      for (const file of todo) await copyVerified(file, dir, root, onProgress);
      if (todo.length === 0) return { location: dir, alreadyDelivered: true };
      const custody: Custody = {
        by: context.actor ?? userInfo().username,
        at: now().toISOString(),
        deviceLabel: destination.deviceLabel ?? root,
      };
      return { location: dir, alreadyDelivered: false, custody };
    },
  };
}
