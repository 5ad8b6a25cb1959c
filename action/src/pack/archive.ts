import { createHash, hash as hashOnce } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { EgressError } from '../shared/errors.js';
import { isInsideRoot } from '../shared/inside-root.js';
import { type ChunkQueue, createChunkQueue } from './chunk.js';
import type { Receipt, ReceiptFile } from './receipt-types.js';
import { BLOCK, createHeaderWriter, encodeEnd, fileHeaderLength } from './tar-header.js';

/**
 * The deterministic archive of one collection:
 *
 *   <root>/RECEIPT.json      the receipt (request, collection, classifications, tier, files)
 *   <root>/SHA256SUMS        `sha256sum -c` format, for RECEIPT.json and every file
 *   <root>/files/<path>      each item, as pinned, at its path under the outputs root
 *
 * Entries are sorted by path (byte order), owner 0/0, mode 0644, mtime = the receipt's createdAt,
 * so the same inputs give the same bytes. Files are hashed while they are copied; a file that no
 * longer matches its pin aborts the stream (there is no second pass to race with).
 */
export const RECEIPT_NAME = 'RECEIPT.json';
export const SUMS_NAME = 'SHA256SUMS';
export const FILES_DIR = 'files';
export const RECEIPT_SIGNATURE_NAME = 'RECEIPT.json.asc';
export const SUMS_SIGNATURE_NAME = 'SHA256SUMS.asc';
const END_BYTES = 2 * BLOCK;

export interface ArchivePlan {
  /** Top-level directory of the archive. */
  root: string;
  /** Real path of the outputs root. */
  outputsRoot: string;
  mtime: number;
  entries: ArchiveEntry[];
  /** Length of the whole tar stream, known before it is written (pins fix every size). */
  archiveBytes: number;
}

export type ArchiveEntry =
  | { archivePath: string; content: Uint8Array }
  | { archivePath: string; file: ReceiptFile };

/**
 * Lay out the archive for a receipt; the receipt's files are what goes in. Unsigned: the layout
 * of packages before detached signatures (their outer message was signed instead).
 */
export function planArchive(options: { root: string; outputsRoot: string; receipt: Receipt }): ArchivePlan {
  const receiptBytes = encodeReceipt(options.receipt);
  const sums = encodeSums(options.receipt, [[RECEIPT_NAME, receiptBytes]]);
  return layOut(options, [
    [RECEIPT_NAME, receiptBytes],
    [SUMS_NAME, sums],
  ]);
}

/**
 * The archive of a package: `RECEIPT.json` with its detached signature `RECEIPT.json.asc`, both
 * listed in `SHA256SUMS`, and `SHA256SUMS.asc`, the detached signature over `SHA256SUMS` (the
 * convention Linux distributions use for release images). The outer message is then encrypted
 * only: every byte inside is vouched for by `SHA256SUMS.asc`, and `verify` refuses any member
 * `SHA256SUMS` does not list.
 */
export async function planSignedArchive(options: {
  root: string;
  outputsRoot: string;
  receipt: Receipt;
  signDetached(bytes: Uint8Array): Promise<Uint8Array>;
}): Promise<ArchivePlan> {
  // Checked before anything is signed (and not again in layOut).
  checkRoot(options.root);
  for (const file of options.receipt.files) checkRelativePath(file.path);
  const receiptBytes = encodeReceipt(options.receipt);
  const receiptSignature = await options.signDetached(receiptBytes);
  const sums = encodeSums(options.receipt, [
    [RECEIPT_NAME, receiptBytes],
    [RECEIPT_SIGNATURE_NAME, receiptSignature],
  ]);
  const sumsSignature = await options.signDetached(sums);
  return layOut(
    options,
    [
      [RECEIPT_NAME, receiptBytes],
      [RECEIPT_SIGNATURE_NAME, receiptSignature],
      [SUMS_NAME, sums],
      [SUMS_SIGNATURE_NAME, sumsSignature],
    ],
    true,
  );
}

function encodeReceipt(receipt: Receipt): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(receipt, null, 2)}\n`);
}

/** `sha256sum -c` lines: the metadata given, then every file. */
function encodeSums(receipt: Receipt, metadata: [string, Uint8Array][]): Uint8Array {
  const sums = [
    ...metadata.map(([name, bytes]) => `${sha256Hex(bytes)}  ${name}`),
    ...receipt.files.map((file) => `${file.sha256}  ${FILES_DIR}/${file.path}`),
  ];
  return new TextEncoder().encode(`${sums.join('\n')}\n`);
}

function checkRoot(root: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(root)) {
    throw new EgressError('INPUT', `'${root}' cannot name a package: use letters, digits, '.', '_' and '-'.`);
  }
}

function layOut(
  options: { root: string; outputsRoot: string; receipt: Receipt },
  metadata: [string, Uint8Array][],
  pathsChecked = false,
): ArchivePlan {
  const { root, receipt } = options;
  checkRoot(root);
  if (!pathsChecked) for (const file of receipt.files) checkRelativePath(file.path);
  const entries: ArchiveEntry[] = [
    ...metadata.map(([name, content]) => ({ archivePath: `${root}/${name}`, content })),
    ...receipt.files.map((file) => ({ archivePath: `${root}/${FILES_DIR}/${file.path}`, file })),
  ];
  sortByUtf8(entries);
  for (let i = 1; i < entries.length; i += 1) {
    if (entries[i]!.archivePath === entries[i - 1]!.archivePath) {
      throw new EgressError('INPUT', `'${entries[i]!.archivePath}' is listed twice in the collection.`);
    }
  }
  let outputsRoot: string;
  try {
    outputsRoot = realpathSync.native(options.outputsRoot);
  } catch (error) {
    throw new EgressError('INPUT', `Outputs root '${options.outputsRoot}' cannot be read.`, { cause: error });
  }
  const mtime = Math.floor(Date.parse(receipt.createdAt) / 1000) || 0;
  let archiveBytes = END_BYTES;
  for (const entry of entries) {
    const size = 'content' in entry ? entry.content.length : entry.file.size;
    archiveBytes += fileHeaderLength({ path: entry.archivePath, size, mtime }) + size + paddingLength(size);
  }
  return { root, outputsRoot, mtime, entries, archiveBytes };
}

/**
 * Sorts entries by the byte order of their UTF-8 paths. Without surrogate pairs (characters beyond
 * U+FFFF) that is the order of UTF-16 code units, which strings compare by; with them, each path is
 * encoded once, not once per comparison.
 */
function sortByUtf8(entries: ArchiveEntry[]): void {
  if (!entries.some((entry) => /[\uD800-\uDFFF]/.test(entry.archivePath))) {
    entries.sort((a, b) => (a.archivePath < b.archivePath ? -1 : a.archivePath > b.archivePath ? 1 : 0));
    return;
  }
  const keyed = entries.map((entry) => ({ entry, key: Buffer.from(entry.archivePath) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  keyed.forEach((k, i) => {
    entries[i] = k.entry;
  });
}

/**
 * The tar stream, in ~1 MiB chunks, produced on demand (pull), so memory stays flat. A file that
 * no longer matches its pin errors the stream, so it never ends cleanly.
 */
export function createArchiveStream(plan: ArchivePlan): ReadableStream<Uint8Array> {
  const chunks = generateArchiveChunks(plan);
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        try {
          const next = chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel() {
        chunks.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * Synchronous reads on purpose, in the thread that frames the tar: per-file async reads dominated
 * a 20,000-file tree. Headers come from a template, padding from one zero block, and a file read
 * whole in one call is hashed in one shot; the only per-file allocation is its file descriptor.
 */
export function* generateArchiveChunks(
  plan: ArchivePlan,
  queue: ChunkQueue = createChunkQueue(),
): Generator<Uint8Array, void, undefined> {
  const dirs = new Map<string, string>();
  const header = createHeaderWriter(plan.mtime);
  const zeros = new Uint8Array(BLOCK);
  for (const entry of plan.entries) {
    const size = 'content' in entry ? entry.content.length : entry.file.size;
    queue.put(header({ path: entry.archivePath, size, mtime: plan.mtime }));
    if ('content' in entry) queue.put(entry.content);
    else yield* copyPinnedFile(plan.outputsRoot, entry.file, queue, dirs);
    const padding = paddingLength(size);
    if (padding > 0) queue.put(zeros.subarray(0, padding));
    while (queue.ready() > 0) yield queue.take();
  }
  queue.put(encodeEnd());
  yield* queue.drain();
  const last = queue.flush();
  if (last) yield last;
}

function paddingLength(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

function* copyPinnedFile(
  outputsRoot: string,
  file: ReceiptFile,
  queue: ChunkQueue,
  dirs: Map<string, string>,
): Generator<Uint8Array, void, undefined> {
  const fd = openInside(outputsRoot, file.path, dirs);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new EgressError('INPUT', `'${file.path}' is not a regular file; list the files inside it.`);
    if (stat.size !== file.size)
      throw pinMismatch(file, `its size is ${stat.size} bytes, pinned ${file.size}`);
    let actual: string;
    const first = queue.space();
    if (file.size <= first.length) {
      // The common small file: one read, one-shot hash.
      let got = 0;
      while (got < file.size) {
        const more = readInto(fd, first.subarray(got), file.size - got, file);
        if (more === 0) throw pinMismatch(file, 'it became shorter while being read');
        got += more;
      }
      actual = hashOnce('sha256', first.subarray(0, got), 'hex');
      queue.commit(got);
    } else {
      const hash = createHash('sha256');
      let remaining = file.size;
      while (remaining > 0) {
        const space = queue.space();
        const got = readInto(fd, space, Math.min(space.length, remaining), file);
        if (got === 0) throw pinMismatch(file, 'it became shorter while being read');
        hash.update(space.subarray(0, got));
        queue.commit(got);
        remaining -= got;
        while (queue.ready() > 0) yield queue.take();
      }
      actual = hash.digest('hex');
    }
    if (actual !== file.sha256 && actual !== file.sha256.toLowerCase())
      throw pinMismatch(file, `its SHA-256 is ${actual}, pinned ${file.sha256}`);
  } finally {
    closeSync(fd);
  }
}

function readInto(fd: number, target: Uint8Array, length: number, file: ReceiptFile): number {
  try {
    return readSync(fd, target, 0, length, null);
  } catch (error) {
    throw new EgressError('INPUT', `'${file.path}' cannot be read: ${(error as Error).message}.`, {
      cause: error,
    });
  }
}

/**
 * Open an item and prove that it lies under the outputs root, symlinks resolved. Directories are
 * resolved once each (a tree of 20,000 files has few); the file itself is opened with O_NOFOLLOW
 * and only a symlinked file is resolved on its own. A swap after the check cannot smuggle other
 * content out: what is read must still match the pin the reviewers approved.
 */
function openInside(outputsRoot: string, relative: string, dirs: Map<string, string>): number {
  // `relative` passed checkRelativePath when the plan was laid out. Were it '..' or empty after
  // its last slash, what opens is a directory, which fstat then refuses.
  const slash = relative.lastIndexOf('/');
  const dir = slash < 0 ? '' : relative.slice(0, slash);
  let realDir = dirs.get(dir);
  if (realDir === undefined) {
    realDir = dir === '' ? outputsRoot : resolveInside(outputsRoot, dir);
    dirs.set(dir, realDir);
  }
  const target = `${realDir}/${relative.slice(slash + 1)}`;
  try {
    return openSync(target, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw cannotOpen(relative, error);
  }
  const real = resolveInside(outputsRoot, relative);
  try {
    return openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw cannotOpen(relative, error);
  }
}

function resolveInside(outputsRoot: string, relative: string): string {
  let real: string;
  try {
    real = realpathSync.native(path.join(outputsRoot, relative));
  } catch (error) {
    throw cannotOpen(relative, error);
  }
  if (real === outputsRoot || !isInsideRoot(outputsRoot, real)) {
    throw new EgressError(
      'INPUT',
      `'${relative}' resolves outside the outputs root (to '${real}'); refused.`,
    );
  }
  return real;
}

function cannotOpen(relative: string, error: unknown): EgressError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new EgressError('INPUT', `'${relative}' cannot be opened under the outputs root: ${reason}.`, {
    cause: error,
  });
}

/**
 * Anything that can make a path unsafe, in one pattern: absolute ('/', '~', 'C:'), a backslash, a
 * control character, an empty, '.' or '..' segment (a trailing '/' and '' included). A path it
 * does not match is safe; one it matches gets the manifest's precise verdict.
 */
const MAYBE_UNSAFE = /^[/~]|^[A-Za-z]:|\\|[\u0000-\u001f\u007f]|(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * The manifest's lexical rule for item paths, plus: an archived entry is a file, never a directory.
 * Returns what is wrong, or undefined.
 */
export function describeUnsafeArchivePath(relative: string): string | undefined {
  if (!MAYBE_UNSAFE.test(relative)) return undefined;
  return (
    describeUnsafeItemPath(relative) ??
    (relative === '' || relative.endsWith('/') ? `'${relative}' names no file` : undefined)
  );
}

function checkRelativePath(relative: string): void {
  const unsafe = describeUnsafeArchivePath(relative);
  if (unsafe) throw new EgressError('INPUT', `${unsafe}; refused.`);
}

function pinMismatch(file: ReceiptFile, detail: string): EgressError {
  return new EgressError(
    'INTEGRITY',
    `'${file.path}' no longer matches its pin: ${detail}. Nothing was written; re-run 'egress-gate lock' and have the reviewers approve again.`,
  );
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
