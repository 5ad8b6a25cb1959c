/**
 * A block blob upload that can resume. Each block's id is derived from its index and the MD5 of its
 * bytes, so a later run reading the same file computes the same ids and skips every block the
 * service already holds uncommitted (`getBlockList('uncommitted')`; Azure keeps them 7 days). The
 * service checks each block against its `transactionalContentMD5`; the file's SHA-256 is computed
 * over the same bytes and must equal the pin before `commitBlockList` (with `ifNoneMatch: '*'`)
 * makes the blob exist, atomically, with the SHA-256 in its metadata. Nothing is visible before.
 */
import { open } from 'node:fs/promises';
import type { BlockBlobClient } from '@azure/storage-blob';
import { EgressError } from '../../shared/errors.js';
import type { DeliveryFile } from '../delivery.js';
import { createInlineSource, createStreamedSource, createWorkerSource } from './block-source.js';
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
  /** `worker` (default): hash on a worker thread; `inline`: on this one (for comparison). */
  hashing?: 'worker' | 'inline';
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
    const source =
      blockSize > bufferedBlockBytes
        ? createStreamedSource(handle, file.localPath)
        : totalBlocks > 1 && options.hashing !== 'inline'
          ? createWorkerSource(handle, blockSize)
          : createInlineSource(handle, blockSize);
    const ids: string[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let sentBytes = 0;
    let sentBlocks = 0;
    let reusedBlocks = 0;
    const progress = (bytes: number) => {
      sentBytes += bytes;
      options.onProgress?.(sentBytes, size);
    };
    let sha256: string;
    try {
      for (let index = 0; index < totalBlocks && failure === undefined; index += 1) {
        const start = index * blockSize;
        const length = Math.min(blockSize, size - start);
        const block = await source.next(start, length);
        const id = blockIdFor(index, block.md5);
        ids.push(id);
        if (staged.get(id) === length) {
          reusedBlocks += 1;
          block.release();
          progress(length);
          continue;
        }
        const task = blob
          .stageBlock(id, block.body, length, { transactionalContentMD5: block.md5 })
          .then(() => {
            sentBlocks += 1;
            options.onBlockStaged?.(index, length);
            progress(length);
          })
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => {
            inFlight.delete(task);
            block.release();
          });
        inFlight.add(task);
        while (inFlight.size >= concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
      sha256 = await source.sha256();
    } finally {
      await Promise.allSettled(inFlight);
      await source.close();
    }

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
      // 409 BlobAlreadyExists (412 from endpoints that treat it as a failed precondition).
      const status = statusOf(error);
      if (status === 409 || status === 412)
        return { outcome: 'exists', sentBlocks, reusedBlocks, totalBlocks };
      throw error;
    }
    return { outcome: 'committed', sentBlocks, reusedBlocks, totalBlocks };
  } finally {
    await handle.close();
  }
}
