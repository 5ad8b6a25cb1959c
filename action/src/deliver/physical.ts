import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, lstat, mkdir, open, readFile, rm, statfs, unlink } from 'node:fs/promises';
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
  RemoteFile,
} from './delivery.js';
import { refuseUnlessPending } from './delivery.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function safeFolder(folder: string): string {
  if (!SAFE_NAME.test(folder)) throw new EgressError('INPUT', `unsafe delivery folder name '${folder}'`);
  return folder;
}

function safeName(remoteName: string): string {
  if (!SAFE_NAME.test(remoteName)) {
    throw new EgressError('INPUT', `unsafe file name '${remoteName}' for a delivery`);
  }
  return remoteName;
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

function alreadyThere(target: string, file: RemoteFile): EgressError {
  return new EgressError(
    'DELIVERY',
    `${target} already exists with different content (not ${file.size} bytes with sha256 ${file.sha256}, or not a regular file); a delivered request is never overwritten`,
  );
}

/** What is at `target` itself (a link is not followed); undefined only when nothing is there. */
async function entryAt(target: string) {
  return lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new EgressError(
      'DELIVERY',
      `cannot look at ${target} (${error.code ?? error.message}): check that the disk is mounted and readable by this user, then run the delivery again`,
      { cause: error },
    );
  });
}

/** Exactly this content, as a regular file (a link to a matching file is not a delivery). */
async function heldAt(target: string, file: RemoteFile): Promise<'absent' | 'same' | 'different'> {
  const info = await entryAt(target);
  if (!info) return 'absent';
  if (!info.isFile() || info.size !== file.size) return 'different';
  return (await hashFile(target)).sha256 === file.sha256 ? 'same' : 'different';
}

/** True when `target` holds exactly the pinned content; refuses when it holds anything else. */
async function sameAsDelivered(target: string, file: DeliveryFile): Promise<boolean> {
  const held = await heldAt(target, file);
  if (held === 'different') throw alreadyThere(target, file);
  return held === 'same';
}

/**
 * Copies to a temp name unique to this run, flushes, then re-reads the temp file from the device
 * and checks it against the pin (so what is published is what was written, not only what was
 * read). The final name is created with link(), which never replaces an existing file: if the
 * name appeared meanwhile (another run), it counts as delivered when it hashes to the pin and is
 * refused otherwise. Returns false when another run had already delivered the same content.
 */
async function copyVerified(
  file: DeliveryFile,
  dir: string,
  root: string,
  onProgress: DeliveryProgress | undefined,
): Promise<boolean> {
  const partial = join(dir, `.${file.remoteName}.${randomBytes(8).toString('hex')}.partial`);
  const target = join(dir, file.remoteName);
  let copied = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      copied += chunk.length;
      onProgress?.(file.remoteName, copied, file.size);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(file.localPath, { highWaterMark: readChunkBytes }),
      tap,
      // 'wx': the temp name is ours alone; never follow or reuse something already there.
      createWriteStream(partial, { flags: 'wx', mode: 0o640 }),
    );
    await flush(partial, 'r+');
    const { sha256: digest } = await hashFile(partial);
    if (digest !== file.sha256) {
      throw new EgressError(
        'INTEGRITY',
        `copy of ${file.remoteName} hashed to ${digest}, expected ${file.sha256}; nothing was delivered`,
      );
    }
    let wrote = true;
    try {
      await link(partial, target);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      if (!(await sameAsDelivered(target, file))) throw error;
      wrote = false;
    }
    await unlink(partial);
    // The new name must reach the device before the disk leaves the building.
    await flush(dir, 'r').catch(() => undefined);
    return wrote;
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
      const info = await entryAt(target);
      if (!info) return undefined;
      if (!info.isFile() || info.size > maxBytes) {
        throw new EgressError(
          'DELIVERY',
          `${target} is not a receipt-sized regular file; it was left as it is`,
        );
      }
      return readFile(target, 'utf8');
    },
    async holds(folder, file) {
      return heldAt(join(root, safeFolder(folder), safeName(file.remoteName)), file);
    },
    async removePending(folder, remoteName) {
      refuseUnlessPending(remoteName);
      const dir = join(root, safeFolder(folder));
      await rm(join(dir, safeName(remoteName)), { force: true });
      await flush(dir, 'r').catch(() => undefined);
    },
    async close() {},
    async deliver(folder, files, onProgress): Promise<DeliveryResult> {
      const dir = join(root, safeFolder(folder));
      await mkdir(dir, { recursive: true });
      const todo: DeliveryFile[] = [];
      for (const file of files) {
        if (await sameAsDelivered(join(dir, safeName(file.remoteName)), file)) continue;
        todo.push(file);
      }
      // Refuse up front when the files cannot fit, rather than fill the disk and fail half way.
      const space = await statfs(dir).catch(() => undefined);
      const needed = todo.reduce((sum, file) => sum + file.size, 0);
      const free = space ? space.bavail * space.bsize : Number.POSITIVE_INFINITY;
      if (todo.length > 0 && needed > free) {
        throw outOfSpace(root, todo[0] as DeliveryFile, `${needed} bytes needed in all, ${free} free`);
      }
      let wrote = 0;
      for (const file of todo) if (await copyVerified(file, dir, root, onProgress)) wrote += 1;
      if (wrote === 0) return { location: dir, alreadyDelivered: true };
      const custody: Custody = {
        by: context.actor ?? userInfo().username,
        at: now().toISOString(),
        deviceLabel: destination.deviceLabel ?? root,
      };
      return { location: dir, alreadyDelivered: false, custody };
    },
  };
}
