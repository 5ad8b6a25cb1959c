import { describe, expect, it } from 'vitest';
import { BLOCK, encodeFileHeader } from '../../action/src/pack/tar-header.js';

const text = (bytes: Uint8Array, start: number, length: number) =>
  Buffer.from(bytes.subarray(start, start + length))
    .toString('utf8')
    .replace(/\0.*$/s, '');

function checksumOk(block: Uint8Array): boolean {
  const stored = Number.parseInt(text(block, 148, 8).trim(), 8);
  let sum = 0;
  block.forEach((byte, i) => {
    sum += i >= 148 && i < 156 ? 0x20 : byte;
  });
  return stored === sum;
}

/** pax records are `<length> key=value\n`, the length counting the whole record in bytes. */
function parsePax(body: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  const buffer = Buffer.from(body);
  while (offset < buffer.length && buffer[offset] !== 0) {
    const space = buffer.indexOf(0x20, offset);
    const length = Number(buffer.subarray(offset, space).toString());
    const record = buffer.subarray(space + 1, offset + length - 1).toString('utf8');
    expect(buffer[offset + length - 1]).toBe(0x0a);
    const eq = record.indexOf('=');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return records;
}

const longSegment = `${'n'.repeat(140)}.txt`;
const nineGiB = 9 * 1024 ** 3;

describe('encodeFileHeader', () => {
  it.each([
    { name: 'short ASCII path', path: 'r/files/a.csv', size: 10, pax: undefined },
    {
      name: 'long path split into ustar prefix + name',
      path: `r/files/${'deep/'.repeat(25)}x.png`,
      size: 10,
      pax: undefined,
    },
    {
      name: 'one segment too long for ustar',
      path: `r/files/${longSegment}`,
      size: 3,
      pax: { path: `r/files/${longSegment}` },
    },
    {
      name: 'non-ASCII path',
      path: 'r/files/données/résumé.txt',
      size: 3,
      pax: { path: 'r/files/données/résumé.txt' },
    },
    { name: 'file of 9 GiB', path: 'r/files/big.bin', size: nineGiB, pax: { size: String(nineGiB) } },
  ])('$name', ({ path, size, pax }) => {
    const header = encodeFileHeader({ path, size, mtime: 1_767_225_600 });
    const blocks = header.length / BLOCK;
    expect(Number.isInteger(blocks)).toBe(true);
    const last = header.subarray(header.length - BLOCK);
    expect(text(last, 257, 6)).toBe('ustar');
    expect(text(last, 100, 8)).toBe('0000644');
    expect(text(last, 108, 8)).toBe('0000000');
    expect(text(last, 265, 32)).toBe('');
    expect(text(last, 136, 12)).toBe((1_767_225_600).toString(8).padStart(11, '0'));
    expect(checksumOk(last)).toBe(true);
    expect(String.fromCharCode(last[156]!)).toBe('0');
    if (pax === undefined) {
      expect(blocks).toBe(1);
      const full = [text(last, 345, 155), text(last, 0, 100)].filter(Boolean).join('/');
      expect(full).toBe(path);
      expect(Number.parseInt(text(last, 124, 12), 8)).toBe(size);
      return;
    }
    const first = header.subarray(0, BLOCK);
    expect(String.fromCharCode(first[156]!)).toBe('x');
    expect(checksumOk(first)).toBe(true);
    const bodyLength = Number.parseInt(text(first, 124, 12), 8);
    expect(parsePax(header.subarray(BLOCK, BLOCK + bodyLength))).toEqual(pax);
    // What a reader without pax support sees is still a regular file, never a directory.
    expect(text(last, 0, 100).endsWith('/')).toBe(false);
  });
});

describe('createHeaderWriter (the template fast path)', () => {
  it('gives exactly the bytes of encodeFileHeader, for every kind of entry', async () => {
    const { createHeaderWriter, fileHeaderLength } = await import('../../action/src/pack/tar-header.js');
    const mtime = 1_767_225_600;
    const write = createHeaderWriter(mtime);
    const paths = [
      'r/RECEIPT.json',
      'r/files/a.csv',
      `r/files/${'deep/'.repeat(25)}x.png`,
      `r/files/${'n'.repeat(140)}.txt`,
      'r/files/données/résumé.txt',
      `r/${'x'.repeat(98)}`,
      `r/${'x'.repeat(99)}`,
    ];
    for (const path of paths) {
      for (const size of [0, 1, 511, 512, 4096, 0o7777777, 2 ** 33 - 1, 9 * 1024 ** 3]) {
        const expected = encodeFileHeader({ path, size, mtime });
        expect(Buffer.from(write({ path, size, mtime })).equals(Buffer.from(expected))).toBe(true);
        expect(fileHeaderLength({ path, size, mtime })).toBe(expected.length);
      }
    }
  });
});
