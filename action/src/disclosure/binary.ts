/** Signatures of archive formats: an archive inside an output hides files from review. */
const ARCHIVES: { name: string; offset: number; magic: number[] }[] = [
  { name: 'zip', offset: 0, magic: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'gzip', offset: 0, magic: [0x1f, 0x8b] },
  { name: 'bzip2', offset: 0, magic: [0x42, 0x5a, 0x68] },
  { name: 'xz', offset: 0, magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', offset: 0, magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: '7z', offset: 0, magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: 'rar', offset: 0, magic: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { name: 'tar', offset: 257, magic: [0x75, 0x73, 0x74, 0x61, 0x72] },
];

/** Name of the archive format the file starts with, if any (needs the first 262 bytes). */
export function detectArchive(head: Uint8Array): string | undefined {
  return ARCHIVES.find((a) => a.magic.every((byte, i) => head[a.offset + i] === byte))?.name;
}

export function looksBinary(head: Uint8Array): boolean {
  return head.subarray(0, 8192).includes(0);
}

const GPS_IFD_TAG = 0x8825;

/** True when a TIFF structure (the body of an EXIF block) has a GPS IFD pointer in IFD0. */
function tiffHasGps(tiff: Uint8Array): boolean {
  if (tiff.length < 8) return false;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return false;
  const little = order === 0x4949;
  const ifd0 = view.getUint32(4, little);
  if (ifd0 + 2 > tiff.length) return false;
  const entries = view.getUint16(ifd0, little);
  for (let i = 0; i < entries; i += 1) {
    const at = ifd0 + 2 + i * 12;
    if (at + 12 > tiff.length) return false;
    if (view.getUint16(at, little) === GPS_IFD_TAG) return true;
  }
  return false;
}

/**
 * GPS position in image metadata: JPEG APP1 "Exif" segments, TIFF files, and PNG eXIf chunks.
 * Reads only the metadata at the start of the file (the caller passes the first 256 KiB).
 */
export function imageHasGps(head: Uint8Array): boolean {
  if (head[0] === 0xff && head[1] === 0xd8) {
    let at = 2;
    while (at + 4 <= head.length && head[at] === 0xff) {
      const marker = head[at + 1]!;
      const length = (head[at + 2]! << 8) | head[at + 3]!;
      if (marker === 0xda || length < 2) break; // image data starts: no more metadata
      const exifHeader = [0x45, 0x78, 0x69, 0x66, 0, 0];
      if (marker === 0xe1 && exifHeader.every((b, i) => head[at + 4 + i] === b)) {
        if (tiffHasGps(head.subarray(at + 10, at + 2 + length))) return true;
      }
      at += 2 + length;
    }
    return false;
  }
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) {
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let at = 8;
    while (at + 8 <= head.length) {
      const length = view.getUint32(at);
      const type = String.fromCharCode(...head.subarray(at + 4, at + 8));
      if (type === 'eXIf') return tiffHasGps(head.subarray(at + 8, at + 8 + length));
      if (type === 'IDAT' || type === 'IEND') return false;
      at += 12 + length;
    }
    return false;
  }
  return tiffHasGps(head);
}
