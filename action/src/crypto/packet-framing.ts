/**
 * OpenPGP packet framing (RFC 4880 §4.2, new format) for a packet whose body length is known in
 * advance but which is written as a stream: the body goes out in partial parts of 2^20 bytes, each
 * behind a one-byte partial length (0xF4), and the part that starts with fewer than 2^20 bytes left
 * carries a definite length instead. When the body is a multiple of 2^20 bytes that last part is
 * empty (a definite length of 0), as RFC 4880 allows. A body under 2^20 bytes gets one definite
 * length. Every part but the last is 2^20 ≥ 512 bytes, so the first-part minimum holds.
 */
export const PART_BYTES = 1 << 20;
const PARTIAL_2_20 = 0xe0 | 20;

/** New-format length octets for a definite length. */
export function encodeLength(length: number): Uint8Array {
  if (length < 192) return Uint8Array.of(length);
  if (length < 8384) {
    const rest = length - 192;
    return Uint8Array.of((rest >> 8) + 192, rest & 0xff);
  }
  return Uint8Array.of(
    0xff,
    (length >>> 24) & 0xff,
    (length >>> 16) & 0xff,
    (length >>> 8) & 0xff,
    length & 0xff,
  );
}

/** Bytes of the length headers the framing inserts into a body of `bodyLength` bytes. */
export function framingOverhead(bodyLength: number): number {
  const fullParts = Math.floor(bodyLength / PART_BYTES);
  return fullParts + encodeLength(bodyLength - fullParts * PART_BYTES).length;
}

export interface PacketFramer {
  /** The pieces to write for the next body bytes: length headers and views of `bytes` (no copy). */
  frame(bytes: Uint8Array): Uint8Array[];
  /** Pieces still owed at the end (an empty final part), after checking the body had its length. */
  end(): Uint8Array[];
}

/** Frames one packet: the tag octet, then the body in parts. `tag` is the packet type (0–63). */
export function createPacketFramer(tag: number, bodyLength: number): PacketFramer {
  let written = 0;
  // Body bytes the current part may still take; a header is due when it reaches 0.
  let partLeft = 0;
  let finalPart = false;
  let started = false;
  const header = (): Uint8Array => {
    const left = bodyLength - written;
    if (left < PART_BYTES) {
      finalPart = true;
      partLeft = left;
      return encodeLength(left);
    }
    partLeft = PART_BYTES;
    return Uint8Array.of(PARTIAL_2_20);
  };
  const open = (pieces: Uint8Array[]) => {
    if (started) return;
    started = true;
    pieces.push(Uint8Array.of(0xc0 | tag), header());
  };
  return {
    frame(bytes) {
      const pieces: Uint8Array[] = [];
      open(pieces);
      let offset = 0;
      while (offset < bytes.length) {
        if (partLeft === 0) {
          if (finalPart) throw new RangeError(`packet body longer than the ${bodyLength} bytes announced`);
          pieces.push(header());
          continue;
        }
        const take = Math.min(partLeft, bytes.length - offset);
        pieces.push(offset === 0 && take === bytes.length ? bytes : bytes.subarray(offset, offset + take));
        offset += take;
        partLeft -= take;
        written += take;
      }
      return pieces;
    },
    end() {
      const pieces: Uint8Array[] = [];
      open(pieces);
      if (!finalPart && partLeft === 0) pieces.push(header());
      if (written !== bodyLength || partLeft !== 0 || !finalPart) {
        throw new RangeError(`packet body of ${written} bytes, ${bodyLength} announced`);
      }
      return pieces;
    },
  };
}

/** The literal data packet's body header: format 'b', the file name, the date (RFC 4880 §5.9). */
export function encodeLiteralHeader(filename: string, date: Date): Uint8Array {
  const name = new TextEncoder().encode(filename);
  if (name.length > 255) throw new RangeError('literal file name longer than 255 bytes');
  const seconds = Math.max(0, Math.floor(date.getTime() / 1000)) >>> 0;
  const out = new Uint8Array(2 + name.length + 4);
  out[0] = 0x62; // 'b'
  out[1] = name.length;
  out.set(name, 2);
  new DataView(out.buffer).setUint32(2 + name.length, seconds);
  return out;
}

/** OpenPGP packet tags used here. */
export const TAG_LITERAL = 11;
export const TAG_SEIPD = 18;
/** The MDC packet's header (tag 19, length 20), hashed before the SHA-1 it carries. */
export const MDC_HEADER = Uint8Array.of(0xd3, 0x14);
export const MDC_PACKET_BYTES = 22;
/** AES block: the random prefix is one block plus its last two octets repeated. */
export const PREFIX_BYTES = 18;
