/**
 * Reading text fast enough to sit beside pin verification: 1 MiB reads decoded into blocks of
 * whole lines, and cheap block-wide prefilters that find the few lines where an identifier could
 * be, so the full patterns run on those lines only.
 */
import { open } from 'node:fs/promises';

const READ_BYTES = 1024 * 1024;

/** Calls `onBlock` with blocks of whole lines (no trailing newline), each block's first line number and line starts. */
export async function forEachTextBlock(
  path: string,
  onBlock: (block: string, firstLine: number, starts: number[]) => void,
): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const decoder = new TextDecoder('utf-8');
    let carry = '';
    let line = 1;
    const emit = (block: string) => {
      const starts = lineStarts(block);
      onBlock(block, line, starts);
      line += starts.length;
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      const text = carry + decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      const last = text.lastIndexOf('\n');
      if (last === -1) {
        carry = text;
        continue;
      }
      emit(text.slice(0, last));
      carry = text.slice(last + 1);
    }
    const rest = carry + decoder.decode();
    if (rest !== '') emit(rest);
  } finally {
    await handle.close();
  }
}

/** Offsets where each line of the block starts. */
export function lineStarts(block: string): number[] {
  const starts = [0];
  for (let at = block.indexOf('\n'); at !== -1; at = block.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

/** The line at index `i` of a block, without its line break (`\r\n` included). */
export function lineAt(block: string, starts: readonly number[], i: number): string {
  const end = i + 1 < starts.length ? starts[i + 1]! - 1 : block.length;
  const text = block.slice(starts[i], end);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * Supersets of the identifier patterns (identifiers.ts): a line without a match of any of these
 * holds no e-mail address (`@`), UK phone or NHS number (six digits with at most one separator,
 * or digits in groups of one or two), postcode (its inward code), precise
 * coordinate (four decimals), IP address, birth word, or model summary; `+` or `)` before a digit
 * catches `+44 (0)12 34567 89`, whose groups the digit patterns miss. sieve.c tests the same.
 */
const PREFILTERS = [
  /\d{3}[ -]?\d{3}/g,
  /\d[\s-]\d\d?[\s-]\d/g,
  /\d[A-Za-z]{2}(?![A-Za-z0-9])/g,
  /\.\d{4}/g,
  /\d\.\d{1,3}\.\d/g,
  /dob|d\.o\.b|birth|born|degrees of freedom|Df Residuals/gi,
  /[+)]\d/g,
];
const IPV6_FULL = /(?:[0-9a-f]{1,4}:){7}/gi;

/** Indexes (into `starts`) of the lines where an identifier could be, sorted. */
export function candidateLines(block: string, starts: readonly number[]): number[] {
  const offsets: number[] = [];
  for (const literal of ['@', '::']) {
    for (let at = block.indexOf(literal); at !== -1; at = block.indexOf(literal, at + 1)) offsets.push(at);
  }
  for (const re of PREFILTERS) for (const m of block.matchAll(re)) offsets.push(m.index);
  if (block.includes(':')) for (const m of block.matchAll(IPV6_FULL)) offsets.push(m.index);
  const lines = new Set<number>();
  for (const offset of offsets) lines.add(lineIndexOf(starts, offset));
  return [...lines].sort((a, b) => a - b);
}

function lineIndexOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
