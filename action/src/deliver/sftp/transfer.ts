/**
 * Moving one file over an SFTP session: a sequential, resumable upload to a temporary name, the
 * checks that stand in for the remote hash SFTP does not have, fsync, and reading remote bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker } from 'node:worker_threads';
import type { ReadStream, ReadStreamOptions, Stats } from 'ssh2';
import { EgressError } from '../../shared/errors.js';
import type { DeliveryFile } from '../delivery.js';
import type { SftpSession } from './session.js';

const MiB = 1 << 20;
/** Read and write size: 1 MiB keeps the SSH channel full (64 KiB writes ran at a fraction of it). */
export const chunkBytes = MiB;
/** Data queued in the SFTP write stream, and so at most in flight: enough to keep the link busy. */
const inFlightBytes = 8 * MiB;

/** The largest write request the server accepts (OpenSSH announces it via limits@openssh.com). */
function writeRequestBytes(session: SftpSession): number {
  const announced = (session.sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
  return typeof announced === 'number' && announced >= 1024 ? announced : 32 * 1024;
}

function call<T>(run: (done: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    run((error, value) => (error ? reject(error) : resolve(value)));
  });
}

/** The remote file's attributes, or undefined when there is no such file. */
export async function statRemote(session: SftpSession, path: string): Promise<Stats | undefined> {
  return absentAsUndefined(call<Stats>((done) => session.sftp.stat(path, done)));
}

/** The entry itself, a link not followed: what a delivered file must be is a regular file. */
export async function lstatRemote(session: SftpSession, path: string): Promise<Stats | undefined> {
  return absentAsUndefined(call<Stats>((done) => session.sftp.lstat(path, done)));
}

async function absentAsUndefined<T>(answer: Promise<T>): Promise<T | undefined> {
  try {
    return await answer;
  } catch (error) {
    if ((error as { code?: unknown }).code === 2) return undefined;
    throw error;
  }
}

export async function removeRemote(session: SftpSession, path: string): Promise<void> {
  try {
    await call<undefined>((done) => session.sftp.unlink(path, (error) => done(error, undefined)));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 2) throw error;
  }
}

/** Plain SFTP rename: OpenSSH's server links then unlinks, so it refuses to replace an existing name. */
export async function renameRemoteNoReplace(session: SftpSession, from: string, to: string): Promise<void> {
  await call<undefined>((done) => session.sftp.rename(from, to, (error) => done(error, undefined)));
}

/**
 * A remote read stream. The loop reading it sees its errors; the listener added here only keeps
 * a late failure (closing the handle after the last byte, when the connection is going away)
 * from becoming an uncaught exception.
 */
export function readRemote(session: SftpSession, path: string, options: ReadStreamOptions = {}): ReadStream {
  const stream = session.sftp.createReadStream(path, options);
  stream.on('error', () => undefined);
  return stream;
}

/** SHA-256 of remote bytes [start, end) read in order. */
export async function hashRemote(
  session: SftpSession,
  path: string,
  start = 0,
  end?: number,
): Promise<string> {
  const hash = createHash('sha256');
  if (end !== undefined && end <= start) return hash.digest('hex');
  const stream = readRemote(session, path, {
    start,
    ...(end === undefined ? {} : { end: end - 1 }),
    highWaterMark: chunkBytes,
  });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function hashLocal(path: string, start = 0, end?: number): Promise<string> {
  const hash = createHash('sha256');
  if (end === undefined || end > start) {
    const stream = createReadStream(path, {
      start,
      ...(end === undefined ? {} : { end: end - 1 }),
      highWaterMark: chunkBytes,
    });
    for await (const chunk of stream) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(${chunkBytes});
const fd = openSync(workerData, 'r');
try {
  for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
} finally {
  closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

/**
 * SHA-256 of a whole local file on a worker thread: the upload's thread is the bottleneck
 * (SSH framing and encryption in JavaScript), so the pin is checked on the other core meanwhile.
 */
export function hashLocalOffThread(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HASH_WORKER, { eval: true, workerData: path });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`hashing ${path} stopped (exit ${code})`));
    });
  });
}

async function sameBytes(
  session: SftpSession,
  file: DeliveryFile,
  remote: string,
  start: number,
  end: number,
) {
  const [ours, theirs] = await Promise.all([
    hashLocal(file.localPath, start, end),
    hashRemote(session, remote, start, end),
  ]);
  return ours === theirs;
}

/**
 * Flushes the remote file to the server's disk when the server offers `fsync@openssh.com`
 * (OpenSSH does). Returns false when it does not: the rename still happens, durability is then
 * the server's own.
 */
export async function fsyncRemote(session: SftpSession, path: string, sftp = session.sftp): Promise<boolean> {
  const handle = await call<Buffer>((done) => sftp.open(path, 'r+', done));
  try {
    await call<unknown>((done) => sftp.ext_openssh_fsync(handle, done));
    return true;
  } catch (error) {
    if (/not support/i.test(String((error as Error).message))) return false;
    throw error;
  } finally {
    await call<undefined>((done) => sftp.close(handle, (error) => done(error, undefined))).catch(
      () => undefined,
    );
  }
}

/** Bytes written between two background flushes. */
const flushEveryBytes = 128 * MiB;

/**
 * Flushes the file to the server's disk *while* it is being written, through a second SFTP
 * channel (OpenSSH serves each channel in its own process, so the writes do not wait): the
 * server's page cache would otherwise hold the whole package until the final fsync, which then
 * costs as long as writing it all to disk (≈1.8 s per GiB here). Failures are ignored: the final
 * fsync is the one that counts.
 */
function createBackgroundFlusher(session: SftpSession, path: string) {
  let running: Promise<unknown> | undefined;
  let flushedAt = 0;
  let supported = true;
  return {
    wrote(offset: number) {
      if (!supported || running || offset - flushedAt < flushEveryBytes) return;
      flushedAt = offset;
      running = session
        .sideChannel()
        .then((side) => fsyncRemote(session, path, side))
        .then((ok) => {
          if (!ok) supported = false;
        })
        .catch(() => {
          supported = false;
        })
        .finally(() => {
          running = undefined;
        });
    },
    async settle() {
      await running;
    },
  };
}

export interface UploadOutcome {
  /** Offset this attempt started writing at (0 for a fresh upload). */
  resumedFrom: number;
  /** Bytes this attempt handed to the connection. */
  sentBytes: number;
}

/**
 * Brings `temp` up to the full file: continues from the remote size when the bytes already there
 * end the way ours do (the last MiB is compared), starts over otherwise. Writes are sequential
 * (`put` of a stream), so the remote size is always a prefix that was written completely.
 */
export async function uploadToTemp(
  session: SftpSession,
  file: DeliveryFile,
  temp: string,
  events: { onStart(offset: number): void; onProgress(offset: number): void },
): Promise<UploadOutcome> {
  const existing = await statRemote(session, temp);
  let start = existing?.size ?? 0;
  if (start > file.size) start = 0;
  if (start > 0 && !(await sameBytes(session, file, temp, Math.max(0, start - MiB), start))) start = 0;
  if (start === file.size) return { resumedFrom: start, sentBytes: 0 };
  events.onStart(start);
  let sent = 0;
  // ssh2 sends a write larger than the server's limit as pieces *one after another*, each
  // waiting for its answer; pieces of exactly that size instead queue up in the write stream and
  // go out together (its `_writev`), still in file order, so many are in flight at once.
  const piece = writeRequestBytes(session);
  const flusher = createBackgroundFlusher(session, temp);
  const counter = new Transform({
    highWaterMark: chunkBytes,
    transform(chunk: Buffer, _encoding, done) {
      for (let at = 0; at < chunk.length; at += piece) this.push(chunk.subarray(at, at + piece));
      sent += chunk.length;
      events.onProgress(start + sent);
      flusher.wrote(start + sent);
      done();
    },
  });
  const source = createReadStream(file.localPath, { start, highWaterMark: chunkBytes });
  const feeding = pipeline(source, counter).catch(() => undefined);
  // `r+` with `start` writes over the tail of what is there; `w` truncates a stale or fresh file.
  const writeStreamOptions = {
    flags: start > 0 ? 'r+' : 'w',
    start,
    mode: 0o640,
    highWaterMark: inFlightBytes,
  };
  try {
    await session.client.put(counter, temp, {
      writeStreamOptions: writeStreamOptions as unknown as { flags: 'w'; mode: number },
    });
  } finally {
    source.destroy();
    counter.destroy();
    await feeding;
    await flusher.settle();
  }
  return { resumedFrom: start, sentBytes: sent };
}

/**
 * Stands in for the hash SFTP does not offer. Small files (receipts) are read back whole and
 * hashed. Large ones are checked by size and by comparing, byte for byte through SHA-256, the
 * first and last MiB and 2 MiB around every offset an upload resumed at: the seams are where an
 * interrupted transfer could have gone wrong; the rest was written in order over SSH's
 * integrity-protected channel. The recipient's gpg checks the whole package in any case.
 */
export async function verifyTemp(
  session: SftpSession,
  file: DeliveryFile,
  temp: string,
  seams: readonly number[],
  readBackBytes: number,
): Promise<void> {
  const attributes = await statRemote(session, temp);
  const size = attributes?.size;
  if (size !== file.size) {
    throw new EgressError(
      'DELIVERY',
      `${temp} on the server has ${size ?? 'no'} bytes after the upload, expected ${file.size}; it will be sent again`,
      { transient: true },
    );
  }
  if (file.size <= readBackBytes) {
    const digest = await hashRemote(session, temp);
    if (digest !== file.sha256)
      await mismatch(session, file, temp, `hashes to ${digest}, expected ${file.sha256}`);
    return;
  }
  const windows: [number, number][] = [
    [0, MiB],
    [file.size - MiB, file.size],
    ...seams.filter((seam) => seam > 0).map((seam): [number, number] => [seam - MiB, seam + MiB]),
  ];
  for (const [from, to] of windows) {
    const start = Math.max(0, from);
    const end = Math.min(file.size, to);
    if (!(await sameBytes(session, file, temp, start, end))) {
      await mismatch(session, file, temp, `differs from the local package in bytes ${start}–${end}`);
    }
  }
}

async function mismatch(
  session: SftpSession,
  file: DeliveryFile,
  temp: string,
  what: string,
): Promise<never> {
  await removeRemote(session, temp);
  throw new EgressError(
    'INTEGRITY',
    `the uploaded copy of ${file.remoteName} ${what}; the temporary file was removed and it will be sent again`,
    { transient: true },
  );
}
