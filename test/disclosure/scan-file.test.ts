import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanOutputFile } from '../../action/src/disclosure/scan-file.js';
import { resolveDisclosureRules } from '../../action/src/policy/disclosure-rules.js';

/** A minimal JPEG: SOI, an APP1 Exif segment whose IFD0 has `entries` tags, then SOS. */
function jpegWithTags(tags: number[]): Buffer {
  const ifd = Buffer.alloc(2 + tags.length * 12 + 4);
  ifd.writeUInt16BE(tags.length, 0);
  tags.forEach((tag, i) => {
    ifd.writeUInt16BE(tag, 2 + i * 12);
    ifd.writeUInt16BE(4, 4 + i * 12); // LONG
    ifd.writeUInt32BE(1, 6 + i * 12);
  });
  const tiff = Buffer.concat([Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8]), ifd]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, body, Buffer.from([0xff, 0xda, 0, 2, 0, 0])]);
}

const rules = resolveDisclosureRules({ disclosure: { minCellCount: 10, maxFileBytes: 100 * 1024 * 1024 } });

describe('scanning an output file', () => {
  let dir: string;
  const write = async (name: string, content: string | Buffer) => {
    await writeFile(join(dir, name), content);
    return (await scanOutputFile(join(dir, name), `tables/${name}`, rules)).findings;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egress-scan-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports small counts in count columns at their line and column, not years or ids', async () => {
    const findings = await write(
      'counts.csv',
      'region,year,patient_id,count\nNorth,2021,17,250\nSouth,2021,3,4\nEast,2022,5,"12"\n',
    );
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([['small-cell', 3, 14]]);
    expect(findings[0]?.message).toBe("count 4 in column 'count' is below the threshold of 10");
  });

  it('ignores columns that are not whole numbers throughout', async () => {
    const findings = await write('rates.tsv', 'group\trate\nA\t3\nB\t0.5\n');
    expect(findings).toEqual([]);
  });

  it('flags dates in a date-of-birth column', async () => {
    const findings = await write('people.csv', 'name,date_of_birth\nX,1990-01-31\n');
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([['date-of-birth', 2, 3]]);
  });

  it('flags identifiers in free text with their line', async () => {
    const findings = await write('notes.md', '# Notes\n\nAsk bob@example.org about SW1A 1AA.\n');
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['email-address', 3],
      ['uk-postcode', 3],
    ]);
  });

  it('flags archives, which hide files from review', async () => {
    const findings = await write('bundle.csv.gz', gzipSync('a,b\n1,2\n'));
    expect(findings.map((f) => f.rule)).toEqual(['archive']);
  });

  it('flags a GPS position in image metadata, and only then', async () => {
    expect((await write('with-gps.jpg', jpegWithTags([0x010f, 0x8825]))).map((f) => f.rule)).toEqual([
      'image-gps',
    ]);
    expect(await write('without-gps.jpg', jpegWithTags([0x010f, 0x0110]))).toEqual([]);
  });

  it('flags files over the size limit', async () => {
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(2048));
    const small = resolveDisclosureRules({ disclosure: { minCellCount: 10, maxFileBytes: 1024 } });
    const { findings } = await scanOutputFile(join(dir, 'big.txt'), 'big.txt', small);
    expect(findings.map((f) => f.rule)).toEqual(['file-too-large']);
  });
});
