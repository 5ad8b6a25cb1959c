import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { LineSieve, SieveJob } from './sieve/line-sieve.js';
import { lineStarts } from './text-blocks.js';

/**
 * Reads a text file once, in chunks of whole lines, hashing what it reads (SHA-256, so a pin can be
 * checked from the same pass). Each chunk goes either to `onBlock` (every line, in JavaScript) or,
 * when `sieveJob` says what the columns must pass, to the line sieve, and then only the lines it
 * reports go to `onLine`. Chunks are handled strictly in file order.
 */
export interface LineHandlers {
  onBlock(block: string, firstLine: number, starts: number[]): void;
  onLine(text: string, line: number): void;
  /** What the sieve needs now; undefined while every line must be read in JavaScript. */
  sieveJob(): SieveJob | undefined;
}

export interface ReadLinesOptions {
  sieve?: LineSieve;
  /** The whole file, when the caller already holds it (small files). */
  contents?: Uint8Array;
}

const CHUNK_BYTES = 1 << 20;
/** A line longer than this is cut there (its line number and the next ones then count one more). */
const MAX_LINE_BYTES = 64 << 20;
/** Chunks at the sieve at once: enough to keep two threads busy, few enough to keep memory flat. */
const IN_FLIGHT = 4;
const LF = 0x0a;

function withoutCr(bytes: Uint8Array, start: number, end: number): string {
  const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('utf8');
}

export async function readLines(
  path: string,
  handlers: LineHandlers,
  options: ReadLinesOptions = {},
): Promise<{ sha256: string; bytes: number }> {
  const { sieve } = options;
  const chunkBytes = sieve?.capacity ?? CHUNK_BYTES;
  const hash = createHash('sha256');
  const free: ArrayBuffer[] = [];
  const queue: Promise<{ buffer: ArrayBuffer; result: { lines: number; reported: Uint32Array } }>[] = [];
  let line = 1;
  let total = 0;
  let offset = 0;
  let eof = false;
  const fd = options.contents ? undefined : openSync(path, 'r');
  const fill = (view: Uint8Array, from: number): number => {
    let filled = from;
    if (options.contents) {
      const part = options.contents.subarray(offset, offset + view.length - from);
      view.set(part, from);
      offset += part.length;
      filled += part.length;
      eof = offset >= options.contents.length;
    } else {
      while (filled < view.length && !eof) {
        const n = readSync(fd!, view, filled, view.length - filled, null);
        if (n === 0) eof = true;
        filled += n;
      }
    }
    hash.update(view.subarray(from, filled));
    total += filled - from;
    return filled;
  };
  const takeNext = async () => {
    const { buffer, result } = await queue.shift()!;
    const bytes = new Uint8Array(buffer);
    const r = result.reported;
    for (let i = 0; i < r.length; i += 2) {
      let start = r[i + 1]!;
      // A byte-order mark is not text (the JavaScript path's decoder drops it too).
      if (line + r[i]! === 1 && start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
        start = 3;
      handlers.onLine(withoutCr(bytes, start, bytes.indexOf(LF, start)), line + r[i]!);
    }
    line += result.lines;
    free.push(buffer);
  };
  const inJavaScript = (bytes: Uint8Array, start: number, end: number) => {
    // The block holds whole lines without the last line feed, as forEachTextBlock gives them.
    const stop = end > start && bytes[end - 1] === LF ? end - 1 : end;
    const block = new TextDecoder('utf-8', { ignoreBOM: start !== 0 || line !== 1 }).decode(
      bytes.subarray(start, stop),
    );
    const starts = lineStarts(block);
    handlers.onBlock(block, line, starts);
    line += starts.length;
  };
  try {
    let carry = new Uint8Array(0);
    while (!eof || carry.length > 0) {
      let buffer =
        carry.length < chunkBytes / 2
          ? (free.pop() ?? new ArrayBuffer(chunkBytes))
          : new ArrayBuffer(carry.length + chunkBytes);
      let view = new Uint8Array(buffer);
      view.set(carry);
      let filled = fill(view, carry.length);
      let end = view.lastIndexOf(LF, filled - 1) + 1;
      // A line longer than a chunk: read on into a bigger buffer, up to the cap.
      while (end === 0 && !eof && filled < MAX_LINE_BYTES) {
        const bigger = new Uint8Array(Math.min(view.length * 2, MAX_LINE_BYTES));
        bigger.set(view.subarray(0, filled));
        view = bigger;
        buffer = bigger.buffer;
        filled = fill(view, filled);
        end = view.lastIndexOf(LF, filled - 1) + 1;
      }
      if (end === 0 || eof) end = filled;
      carry = view.slice(end, filled);
      if (end === 0) break;
      const job = view[end - 1] === LF && end <= (sieve?.capacity ?? 0) ? handlers.sieveJob() : undefined;
      if (sieve && job && job.modes.length <= sieve.maxColumns) {
        queue.push(sieve.sieve(buffer, end, job));
        while (queue.length >= IN_FLIGHT) await takeNext();
        continue;
      }
      while (queue.length > 0) await takeNext();
      inJavaScript(view, 0, end);
      if (buffer.byteLength === chunkBytes) free.push(buffer);
    }
    while (queue.length > 0) await takeNext();
  } finally {
    // Settle what is still at the sieve before the buffers go (an error mid-file).
    await Promise.allSettled(queue);
    if (fd !== undefined) closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes: total };
}
