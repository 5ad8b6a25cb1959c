import { describe, expect, it } from 'vitest';
import {
  createPacketFramer,
  encodeLength,
  framingOverhead,
  PART_BYTES,
} from '../../action/src/crypto/packet-framing.js';

/** Parse new-format lengths back (RFC 4880 §4.2.2): the parts' sizes and whether each is partial. */
function readParts(bytes: Uint8Array): { tag: number; parts: number[]; body: number[] } {
  const tag = bytes[0]! & 0x3f;
  const parts: number[] = [];
  const body: number[] = [];
  let at = 1;
  for (;;) {
    const first = bytes[at]!;
    let length: number;
    let partial = false;
    if (first < 192) {
      length = first;
      at += 1;
    } else if (first < 224) {
      length = ((first - 192) << 8) + bytes[at + 1]! + 192;
      at += 2;
    } else if (first < 255) {
      length = 1 << (first & 0x1f);
      partial = true;
      at += 1;
    } else {
      length = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
      at += 5;
    }
    parts.push(length);
    for (let i = 0; i < length; i += 1) body.push(bytes[at + i]!);
    at += length;
    if (!partial) break;
  }
  expect(at).toBe(bytes.length);
  return { tag, parts, body };
}

function frameAll(tag: number, body: Uint8Array, cuts: number[]): Uint8Array {
  const framer = createPacketFramer(tag, body.length);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, body.length]) {
    pieces.push(...framer.frame(body.subarray(from, cut)));
    from = cut;
  }
  pieces.push(...framer.end());
  return Buffer.concat(pieces);
}

describe('OpenPGP partial-length framing', () => {
  it.each([
    [0, [0]],
    [191, [0xbf]],
    [192, [0xc0, 0x00]],
    [8383, [0xdf, 0xff]],
    [8384, [0xff, 0, 0, 0x20, 0xc0]],
    [PART_BYTES - 1, [0xff, 0, 0x0f, 0xff, 0xff]],
  ])('encodes a definite length of %i as RFC 4880 does', (length, bytes) => {
    expect([...encodeLength(length)]).toEqual(bytes);
  });

  it.each([
    { name: 'empty', bytes: 0, parts: [0] },
    { name: 'one byte under a part', bytes: PART_BYTES - 1, parts: [PART_BYTES - 1] },
    { name: 'exactly one part: an empty final part follows', bytes: PART_BYTES, parts: [PART_BYTES, 0] },
    { name: 'one byte over a part', bytes: PART_BYTES + 1, parts: [PART_BYTES, 1] },
    { name: 'exactly two parts', bytes: 2 * PART_BYTES, parts: [PART_BYTES, PART_BYTES, 0] },
    {
      name: 'two parts and a 2-octet rest',
      bytes: 2 * PART_BYTES + 300,
      parts: [PART_BYTES, PART_BYTES, 300],
    },
  ])('$name: parts $parts, whatever the chunking', ({ bytes, parts }) => {
    const body = new Uint8Array(bytes).map((_, i) => (i * 31 + 7) & 0xff);
    for (const cuts of [[], [1], [PART_BYTES - 1], [7, PART_BYTES, PART_BYTES + 2]].map((c) =>
      c.filter((x) => x <= bytes),
    )) {
      const framed = frameAll(18, body, cuts);
      const read = readParts(framed);
      expect(read.tag).toBe(18);
      expect(read.parts).toEqual(parts);
      expect(Buffer.from(read.body).equals(Buffer.from(body))).toBe(true);
      expect(framed.length).toBe(1 + framingOverhead(bytes) + bytes);
    }
  });

  it('refuses a body longer or shorter than announced', () => {
    const longer = createPacketFramer(11, 10);
    expect(() => longer.frame(new Uint8Array(11))).toThrow(/longer than the 10 bytes announced/);
    const shorter = createPacketFramer(11, 10);
    shorter.frame(new Uint8Array(9));
    expect(() => shorter.end()).toThrow(/9 bytes, 10 announced/);
  });
});
