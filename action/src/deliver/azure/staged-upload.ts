/**
 * A block blob upload that can resume. Each block's id is derived from its index and the MD5 of its
 * bytes, so a later run reading the same file computes the same ids and skips every block the
 * service already holds uncommitted (`getBlockList('uncommitted')`; Azure keeps them 7 days). The
 * service checks each block against its `transactionalContentMD5`; the file's SHA-256 is computed
 * over the same bytes and must equal the pin before `commitBlockList` (with `ifNoneMatch: '*'`)
 * makes the blob exist, atomically, with the SHA-256 in its metadata. Nothing is visible before.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { readChunkBytes } from '../../pack/digest.js';
import { EgressError } from '../../shared/errors.js';
import type { DeliveryFile } from '../delivery.js';
import { statusOf } from './errors.js';

const MiB = 1024 * 1024;
/** Azure's limits: 50,000 committed blocks per blob, 4,000 MiB per block. */
export const maxBlocks = 50_000;
const maxBlockBytes = 4000 * MiB;
const minBlockBytes = 8 * MiB;
/** Blocks up to this size are read once into memory; larger ones are hashed, then streamed. */
const bufferedBlockBytes = 16 * MiB;

/** 8 MiB up to 400 GiB (50,000 blocks), then the smallest whole MiB that stays under 50,000 blocks. */
export function chooseBlockSize(size: number): number {
  const needed = Math.ceil(Math.ceil(size / maxBlocks) / MiB) * MiB;
  const blockSize = Math.max(minBlockBytes, needed);
  if (blockSize > maxBlockBytes) {
    throw new EgressError(
      'INPUT',
      `a package of ${size} bytes exceeds the largest block blob Azure stores (50,000 blocks of 4,000 MiB)`,
    );
  }
  return blockSize;
}

/** Same length for every block of a blob (Azure requires it): 5-digit index, MD5 in hex, base64. */
export function blockIdFor(index: number, md5: Buffer): string {
  return Buffer.from(`${String(index).padStart(5, '0')}-${md5.toString('hex')}`).toString('base64');
}

export interface StagedUploadOptions {
  blockSize?: number;
  /** Blocks in flight at once. */
  concurrency?: number;
  contentType?: string;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  /** Called for every block actually sent (not for blocks reused from an earlier run). */
  onBlockStaged?: (index: number, bytes: number) => void;
}

export interface StagedUploadResult {
  /** `committed`, or `exists` when another commit got there first (409): the caller judges it. */
  outcome: 'committed' | 'exists';
  sentBlocks: number;
  reusedBlocks: number;
  totalBlocks: number;
}

async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new EgressError('INTEGRITY', 'the package became shorter while it was read');
    done += bytesRead;
  }
}

/** Hashes one block into `md5` and `sha` without holding it: for very large blocks. */
async function hashRange(
  handle: FileHandle,
  start: number,
  length: number,
  md5: Hash,
  sha: Hash,
  scratch: Buffer,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const part = scratch.subarray(0, Math.min(scratch.length, length - done));
    await readFully(handle, part, start + done);
    md5.update(part);
    sha.update(part);
    done += part.length;
  }
}

async function uncommittedBlocks(blob: BlockBlobClient): Promise<Map<string, number>> {
  try {
    const list = await blob.getBlockList('uncommitted');
    return new Map((list.uncommittedBlocks ?? []).map((block) => [block.name, block.size]));
  } catch (error) {
    if (statusOf(error) === 404) return new Map();
    throw error;
  }
}

/**
 * Uploads `file` to `blob` (which must not exist yet), resuming from uncommitted blocks whose ids
 * match. Throws the SDK's error for the caller to translate, or `EgressError('INTEGRITY')`.
 */
export async function uploadStaged(
  blob: BlockBlobClient,
  file: DeliveryFile,
  options: StagedUploadOptions = {},
): Promise<StagedUploadResult> {
  const handle = await open(file.localPath, 'r');
  try {
    const { size } = await handle.stat();
    if (size !== file.size) {
      throw new EgressError(
        'INTEGRITY',
        `${file.localPath} has ${size} bytes, expected ${file.size}; nothing was uploaded`,
      );
    }
    const blockSize = options.blockSize ?? chooseBlockSize(size);
    const totalBlocks = Math.ceil(size / blockSize);
    if (totalBlocks > maxBlocks)
      throw new EgressError('INTERNAL', `block size ${blockSize} gives too many blocks`);
    const concurrency = options.concurrency ?? 8;
    const staged = await uncommittedBlocks(blob);
    const sha = createHash('sha256');
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let sentBytes = 0;
    let sentBlocks = 0;
    let reusedBlocks = 0;
    const scratch = blockSize > bufferedBlockBytes ? Buffer.allocUnsafe(readChunkBytes) : undefined;
    const progress = (bytes: number) => {
      sentBytes += bytes;
      options.onProgress?.(sentBytes, size);
    };

    for (let index = 0; index < totalBlocks && failure === undefined; index += 1) {
      const start = index * blockSize;
      const length = Math.min(blockSize, size - start);
      const md5 = createHash('md5');
      let body: Buffer | (() => NodeJS.ReadableStream);
      if (scratch) {
        await hashRange(handle, start, length, md5, sha, scratch);
        const path = file.localPath;
        body = () =>
          createReadStream(path, { start, end: start + length - 1, highWaterMark: readChunkBytes });
      } else {
        const buffer = Buffer.allocUnsafe(length);
        await readFully(handle, buffer, start);
        md5.update(buffer);
        sha.update(buffer);
        body = buffer;
      }
      const digest = md5.digest();
      const id = blockIdFor(index, digest);
      ids.push(id);
      if (staged.get(id) === length) {
        reusedBlocks += 1;
        progress(length);
        continue;
      }
      const task = blob
        .stageBlock(id, body, length, { transactionalContentMD5: digest })
        .then(() => {
          sentBlocks += 1;
          options.onBlockStaged?.(index, length);
          progress(length);
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      while (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;

    const sha256 = sha.digest('hex');
    if (sha256 !== file.sha256) {
      throw new EgressError(
        'INTEGRITY',
        `${file.localPath} hashed to ${sha256} while uploading, expected ${file.sha256}; nothing was committed`,
      );
    }
    try {
      await blob.commitBlockList(ids, {
        conditions: { ifNoneMatch: '*' },
        metadata: { sha256 },
        blobHTTPHeaders: { blobContentType: options.contentType ?? 'application/octet-stream' },
      });
    } catch (error) {
      if (statusOf(error) === 409) return { outcome: 'exists', sentBlocks, reusedBlocks, totalBlocks };
      throw error;
    }
    return { outcome: 'committed', sentBlocks, reusedBlocks, totalBlocks };
  } finally {
    await handle.close();
  }
}
