/**
 * SFTP delivery (OpenSSH or any SFTP v3 server): the host key is pinned, the login is by key only,
 * every file goes to a temporary name first and is resumed there after an interruption, checked,
 * flushed, and renamed to its final name only when every file of the delivery is ready.
 */
import { posix } from 'node:path';
import type { SftpDestination } from '../manifest/config-types.js';
import { EgressError } from '../shared/errors.js';
import {
  type Delivery,
  type DeliveryContext,
  type DeliveryFile,
  type DeliveryResult,
  type RemoteFile,
  refuseUnlessPending,
} from './delivery.js';
import { describeTarget, openSftpSession, type SftpSession, translateSftpError } from './sftp/session.js';
import {
  fsyncRemote,
  hashLocalOffThread,
  hashRemote,
  lstatRemote,
  readRemote,
  removeRemote,
  renameRemoteNoReplace,
  statRemote,
  uploadToTemp,
  verifyTemp,
} from './sftp/transfer.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface SftpDeliveryOptions {
  /** Connection attempts per call before giving up with a transient error (default 6). */
  attempts?: number;
  /** First pause between attempts; doubles each time, capped at 30 s (default 2000 ms). */
  backoffMs?: number;
  /** Files up to this size are read back whole and hashed after upload (default 64 MiB). */
  readBackBytes?: number;
  /** Seconds without an answer before a connection counts as lost (default 20). */
  timeoutSeconds?: number;
}

/** Where the recipient finds the folder, as an sftp URL (`/~/` marks a path under the login's home). */
export function sftpLocation(destination: SftpDestination, folder: string): string {
  const dir = destination.remoteDir.replace(/\/+$/, '');
  const path = dir.startsWith('/') ? dir : `/~/${dir}`;
  return `sftp://${describeTarget(destination)}${path}/${folder}/`;
}

/** Temporary name: hidden, and bound to the content so a re-packed file never resumes another's bytes. */
function tempName(file: DeliveryFile): string {
  return `.${file.remoteName}.${file.sha256.slice(0, 16)}.partial`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createSftpDelivery(
  destination: SftpDestination,
  context: DeliveryContext,
  options: SftpDeliveryOptions = {},
): Delivery {
  const target = describeTarget(destination);
  const attempts = options.attempts ?? 6;
  const backoffMs = options.backoffMs ?? 2000;
  const readBackBytes = options.readBackBytes ?? 64 << 20;
  const log = context.log ?? (() => undefined);
  let session: SftpSession | undefined;

  async function connected(): Promise<SftpSession> {
    if (session && !session.lost) return session;
    await session?.end();
    session = await openSftpSession({
      destination,
      credentials: {
        privateKey: context.secrets.sftpPrivateKey,
        passphrase: context.secrets.sftpPrivateKeyPassphrase,
      },
      timeoutSeconds: options.timeoutSeconds,
    });
    return session;
  }

  /**
   * Runs `step` on a live session, reconnecting and retrying with backoff while failures are
   * transient. An attempt that moved data forward starts the count again (a server that keeps
   * dropping mid-upload still lets the upload finish), within an overall bound.
   */
  async function withRetries<T>(
    what: string,
    step: (live: SftpSession, progressed: () => void) => Promise<T>,
  ): Promise<T> {
    let total = 0;
    for (let attempt = 1; ; attempt += 1) {
      let live: SftpSession | undefined;
      let moved = false;
      total += 1;
      try {
        live = await connected();
        return await step(live, () => {
          moved = true;
        });
      } catch (error) {
        const failure = translateSftpError(error, `${what} on ${target}`, live?.lost ?? false);
        if (live?.lost || failure.transient) {
          await session?.end();
          session = undefined;
        }
        if (!failure.transient) throw failure;
        if (moved) attempt = 1;
        if (attempt >= attempts || total >= attempts * 5) {
          throw new EgressError(
            'DELIVERY',
            `${what} on ${target} failed ${total} times; last: ${failure.message}. Anything partly sent is kept under a temporary name and the next run resumes it: retry the job`,
            { cause: failure, transient: true },
          );
        }
        const pause = Math.min(30_000, backoffMs * 2 ** (attempt - 1));
        log(
          `sftp: ${failure.message}; attempt ${attempt} of ${attempts}, retrying in ${Math.round(pause / 100) / 10} s`,
        );
        await sleep(pause);
      }
    }
  }

  async function folderPath(live: SftpSession, folder: string, create: boolean): Promise<string> {
    const base = destination.remoteDir;
    const info = await statRemote(live, base);
    if (!info?.isDirectory()) {
      throw new EgressError(
        'CONFIG',
        `remoteDir ${base} does not exist on ${target} (or is not a directory): create it there, or correct remoteDir in .egress/config.yaml`,
      );
    }
    const dir = posix.join(base, folder);
    if (create && !(await statRemote(live, dir))) {
      await new Promise<void>((resolve, reject) =>
        live.sftp.mkdir(dir, { mode: 0o750 }, (error) =>
          // Another attempt may have created it just before a reconnect.
          error && (error as { code?: unknown }).code !== 4 ? reject(error) : resolve(),
        ),
      );
    }
    return dir;
  }

  /** What is under the final name: decided by size, then by reading it back and hashing. */
  async function heldAt(live: SftpSession, file: RemoteFile, path: string) {
    const info = await lstatRemote(live, path);
    if (!info) return 'absent';
    if (info.isFile() && info.size === file.size && (await hashRemote(live, path)) === file.sha256) {
      return 'same';
    }
    return 'different';
  }

  /** Same bytes under the final name, or absent; anything else is refused. */
  async function finalState(live: SftpSession, file: DeliveryFile, path: string): Promise<'absent' | 'same'> {
    const held = await heldAt(live, file, path);
    if (held !== 'different') return held;
    throw new EgressError(
      'DELIVERY',
      `sftp://${target}${path} already exists with different content; a delivered file is never overwritten. Ask the server's administrator to look at it, or deliver under a new request id`,
    );
  }

  return {
    kind: 'sftp',

    async readExisting(folder, remoteName, maxBytes) {
      if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(remoteName)) return undefined;
      return withRetries(`reading ${remoteName}`, async (live) => {
        const path = posix.join(await folderPath(live, folder, false), remoteName);
        const info = await statRemote(live, path);
        if (!info) return undefined;
        if (!info.isFile() || info.size > maxBytes) {
          throw new EgressError(
            'DELIVERY',
            `sftp://${target}${path} is not a receipt-sized regular file (${info.size} bytes); it was left as it is`,
          );
        }
        const chunks: Buffer[] = [];
        for await (const chunk of readRemote(live, path)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      });
    },

    async deliver(folder, files, onProgress): Promise<DeliveryResult> {
      if (!SAFE_NAME.test(folder)) throw new EgressError('INPUT', `unsafe delivery folder name '${folder}'`);
      for (const file of files) {
        if (!SAFE_NAME.test(file.remoteName)) {
          throw new EgressError('INPUT', `unsafe file name '${file.remoteName}' for a delivery`);
        }
      }
      // The local files must still be the pinned ones: hashed on another thread while uploading.
      const localDigests = new Map(
        files.map((file) => [file.remoteName, hashLocalOffThread(file.localPath)]),
      );
      for (const digest of localDigests.values()) digest.catch(() => undefined);
      // What is known across attempts, so a retry after a reconnect picks up where it stopped.
      const state = new Map<string, 'already' | 'ready' | 'renamed'>();
      const seams = new Map<string, number[]>();
      let fsyncMissing = false;
      await withRetries(`delivering ${folder}`, async (live, progressed) => {
        const dir = await folderPath(live, folder, true);
        for (const file of files) {
          if (state.has(file.remoteName)) continue;
          const final = posix.join(dir, file.remoteName);
          if ((await finalState(live, file, final)) === 'same') {
            state.set(file.remoteName, 'already');
            continue;
          }
          const temp = posix.join(dir, tempName(file));
          await removeStaleTemps(live, dir, file);
          const outcome = await uploadToTemp(live, file, temp, {
            onStart(offset) {
              if (offset > 0) log(`sftp: resuming ${file.remoteName} at byte ${offset} of ${file.size}`);
            },
            onProgress(offset) {
              progressed();
              onProgress?.(file.remoteName, offset, file.size);
            },
          });
          const fileSeams = seams.get(file.remoteName) ?? [];
          fileSeams.push(outcome.resumedFrom);
          seams.set(file.remoteName, fileSeams);
          const local = await localDigests.get(file.remoteName);
          if (local !== file.sha256) {
            await removeRemote(live, temp);
            throw new EgressError(
              'INTEGRITY',
              `${file.localPath} hashes to ${local}, not to its pin ${file.sha256} (did it change after packing?); the uploaded copy was removed and nothing appeared under ${file.remoteName}`,
            );
          }
          await verifyTemp(live, file, temp, fileSeams, readBackBytes);
          if (!(await fsyncRemote(live, temp))) fsyncMissing = true;
          state.set(file.remoteName, 'ready');
          progressed();
        }
        // Only now, with every file complete and checked, do the final names appear.
        for (const file of files) {
          if (state.get(file.remoteName) !== 'ready') continue;
          const final = posix.join(dir, file.remoteName);
          try {
            await renameRemoteNoReplace(live, posix.join(dir, tempName(file)), final);
          } catch (error) {
            if (live.lost) throw error;
            // Refused: something appeared under the final name meanwhile. Same bytes → done.
            if ((await finalState(live, file, final)) !== 'same') throw error;
            await removeRemote(live, posix.join(dir, tempName(file)));
          }
          state.set(file.remoteName, 'renamed');
        }
      });
      if (fsyncMissing)
        log(`sftp: ${target} does not offer fsync@openssh.com; durability is left to the server`);
      return {
        location: sftpLocation(destination, folder),
        alreadyDelivered: files.every((file) => state.get(file.remoteName) === 'already'),
      };
    },

    async holds(folder, file) {
      if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(file.remoteName)) {
        throw new EgressError('INPUT', `unsafe name '${folder}/${file.remoteName}' at a destination`);
      }
      return withRetries(`looking at ${file.remoteName}`, async (live) => {
        const dir = await folderPath(live, folder, false);
        return heldAt(live, file, posix.join(dir, file.remoteName));
      });
    },

    async removePending(folder, remoteName) {
      refuseUnlessPending(remoteName);
      if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(remoteName)) {
        throw new EgressError('INPUT', `unsafe name '${folder}/${remoteName}' at a destination`);
      }
      await withRetries(`removing ${remoteName}`, async (live) => {
        const path = posix.join(await folderPath(live, folder, false), remoteName);
        if (await lstatRemote(live, path)) await removeRemote(live, path);
      });
    },

    async close() {
      const open = session;
      session = undefined;
      await open?.end();
    },
  };
}

/** Temporary files of an earlier, different package under the same name can never be resumed. */
async function removeStaleTemps(live: SftpSession, dir: string, file: DeliveryFile): Promise<void> {
  const ours = tempName(file);
  // Exactly this file's temporary names: `.a.tar.gpg.` also begins `.a.tar.gpg.receipt.asc.…`.
  const isTempOfFile = (name: string) =>
    name.length === ours.length &&
    name.startsWith(`.${file.remoteName}.`) &&
    /^\.[0-9a-f]{16}\.partial$/.test(name.slice(file.remoteName.length + 1));
  const names = await new Promise<string[]>((resolve, reject) =>
    live.sftp.readdir(dir, (error, list) =>
      error ? reject(error) : resolve(list.map((entry) => entry.filename)),
    ),
  );
  for (const name of names) {
    if (name !== ours && isTempOfFile(name)) {
      await removeRemote(live, posix.join(dir, name));
    }
  }
}
