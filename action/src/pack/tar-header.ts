/**
 * POSIX pax (ustar + extended headers) for regular files, written by hand so every byte is ours
 * to fix: owner 0/0 with empty names, mode 0644, one mtime. An extended header is added only when
 * ustar cannot hold the entry (long or non-ASCII path, size ≥ 8 GiB), as GNU tar's pax format does.
 */
export const BLOCK = 512;
const MAX_USTAR_SIZE = 0o77777777777;
const encoder = new TextEncoder();

export interface TarFileHeader {
  path: string;
  size: number;
  /** Seconds since the epoch. */
  mtime: number;
}

/** The header block(s) for one regular file: an optional pax `x` entry, then the ustar header. */
export function encodeFileHeader(entry: TarFileHeader): Uint8Array {
  const split = isAscii(entry.path) ? splitUstarName(entry.path) : undefined;
  const fitsUstar = split !== undefined;
  const bigSize = entry.size > MAX_USTAR_SIZE;
  if (split && !bigSize) return encodeUstar(split.name, entry.size, entry.mtime, '0', split.prefix);

  const records: string[] = [];
  if (!fitsUstar) records.push(paxRecord('path', entry.path));
  if (bigSize) records.push(paxRecord('size', String(entry.size)));
  const body = encoder.encode(records.join(''));
  const baseName = entry.path.slice(entry.path.lastIndexOf('/') + 1);
  const paxName = encoder.encode(`PaxHeaders/${asciiOnly(baseName)}`.slice(0, 100));
  const parts = [
    encodeUstar(paxName, body.length, entry.mtime, 'x'),
    padToBlock(body),
    // Readers that ignore pax see a plain file named after the base name, never a directory.
    encodeUstar(
      split?.name ?? encoder.encode(asciiOnly(baseName).slice(-100) || 'file'),
      bigSize ? 0 : entry.size,
      entry.mtime,
      '0',
      split?.prefix,
    ),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Bytes `encodeFileHeader` gives for this entry, without building them in the common case. */
export function fileHeaderLength(entry: TarFileHeader): number {
  if (entry.size <= MAX_USTAR_SIZE && entry.path.length <= 100 && isAscii(entry.path)) return BLOCK;
  if (entry.size <= MAX_USTAR_SIZE && isAscii(entry.path) && splitUstarName(entry.path)) return BLOCK;
  return encodeFileHeader(entry).length;
}

/**
 * The same bytes as `encodeFileHeader`, written into a reused block for the common entry (ASCII
 * path ustar can hold, size < 8 GiB): a template holds every constant field and its part of the
 * checksum, so only name, prefix, size and the checksum are written per file. Other entries return
 * `encodeFileHeader`'s bytes.
 */
export function createHeaderWriter(mtime: number): (entry: TarFileHeader) => Uint8Array {
  const template = encodeUstar(new Uint8Array(0), 0, mtime, '0');
  template.fill(0, 124, 136); // the size field, written per entry
  template.fill(0x20, 148, 156);
  let templateSum = 0;
  for (const byte of template) templateSum += byte;
  const block = new Uint8Array(BLOCK);
  return (entry) => {
    const { path, size } = entry;
    if (size > MAX_USTAR_SIZE || entry.mtime !== mtime || !isAscii(path)) return encodeFileHeader(entry);
    let nameStart = 0;
    if (path.length > 100) {
      const split = splitUstarName(path);
      if (!split) return encodeFileHeader(entry);
      nameStart = split.prefix!.length + 1;
    }
    block.set(template);
    let sum = templateSum;
    const write = (text: string, from: number, to: number, offset: number) => {
      for (let i = from; i < to; i += 1) {
        const code = text.charCodeAt(i);
        block[offset + i - from] = code;
        sum += code;
      }
    };
    write(path, nameStart, path.length, 0);
    if (nameStart > 0) write(path, 0, nameStart - 1, 345);
    sum += writeOctalDigits(block, 124, 11, size);
    writeOctalDigits(block, 148, 6, sum);
    block[154] = 0;
    block[155] = 0x20;
    return block;
  };
}

/** Zero bytes after a body of `size` bytes, up to the next block. */
export function paddingFor(size: number): Uint8Array {
  const rest = size % BLOCK;
  return new Uint8Array(rest === 0 ? 0 : BLOCK - rest);
}

/** End of archive: two zero blocks. */
export function encodeEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

function encodeUstar(
  name: Uint8Array,
  size: number,
  mtime: number,
  type: '0' | 'x',
  prefix?: Uint8Array,
): Uint8Array {
  const block = new Uint8Array(BLOCK);
  block.set(name.subarray(0, 100), 0);
  if (prefix) block.set(prefix.subarray(0, 155), 345);
  writeOctal(block, 100, 8, 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, mtime);
  block.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  block[156] = type.charCodeAt(0);
  block.set(encoder.encode('ustar\u000000'), 257);
  // uname, gname (265, 297) stay empty; devmajor/devminor are zero octal like GNU tar writes.
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  let sum = 0;
  for (const byte of block) sum += byte;
  const checksum = encoder.encode(`${sum.toString(8).padStart(6, '0')}\u0000 `);
  block.set(checksum, 148);
  return block;
}

/** `width` zero-padded octal digits of `value` (which fits them) at `offset`; returns their byte sum. */
function writeOctalDigits(block: Uint8Array, offset: number, width: number, value: number): number {
  let rest = value;
  let sum = 0;
  for (let i = offset + width - 1; i >= offset; i -= 1) {
    const digit = 0x30 + (rest % 8);
    block[i] = digit;
    sum += digit;
    rest = Math.floor(rest / 8);
  }
  return sum;
}

function writeOctal(block: Uint8Array, offset: number, width: number, value: number): void {
  const digits = Math.floor(value)
    .toString(8)
    .padStart(width - 1, '0');
  block.set(encoder.encode(digits), offset);
  block[offset + width - 1] = 0;
}

/** `"<len> key=value\n"` where len counts the whole record, itself included. */
function paxRecord(key: string, value: string): string {
  const payload = ` ${key}=${value}\n`;
  const bytes = encoder.encode(payload).length;
  let digits = String(bytes).length;
  while (String(bytes + digits).length !== digits) digits += 1;
  return `${bytes + digits}${payload}`;
}

function padToBlock(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + paddingFor(body.length).length);
  out.set(body, 0);
  return out;
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '_');
}

/** ustar holds a path as prefix (≤ 155) + '/' + name (≤ 100), split at a slash. */
function splitUstarName(path: string): { name: Uint8Array; prefix?: Uint8Array } | undefined {
  if (path.length <= 100) return { name: encoder.encode(path) };
  for (let at = path.indexOf('/'); at >= 0; at = path.indexOf('/', at + 1)) {
    if (at <= 155 && path.length - at - 1 <= 100 && at > 0) {
      return { prefix: encoder.encode(path.slice(0, at)), name: encoder.encode(path.slice(at + 1)) };
    }
  }
  return undefined;
}
