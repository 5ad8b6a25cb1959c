import { chmod, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { describeUnsafeItemPath } from '../../action/src/manifest/item-path.js';
import {
  createArchiveStream,
  describeUnsafeArchivePath,
  planArchive,
} from '../../action/src/pack/archive.js';
import { isEgressError } from '../../action/src/shared/errors.js';
import { buildReceipt, makeTempDir, runTool, sha256, writeOutputs } from './pack-fixtures.js';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  return Buffer.concat(parts);
}

async function archiveOf(outputsRoot: string, files: Awaited<ReturnType<typeof writeOutputs>>) {
  const plan = planArchive({ root: 'req-1-report-inputs', outputsRoot, receipt: buildReceipt({ files }) });
  return readAll(createArchiveStream(plan));
}

const longName = `${'deep/'.repeat(25)}figure with a long name.png`;
const contents = {
  'report/summary.csv': 'region,count\nnorth,120\n',
  'report/figures/fig1.png': Buffer.alloc(70_000, 7),
  'README.md': '# Outputs\n',
  [longName]: 'long\n',
  [`${'n'.repeat(140)}.txt`]: 'one long segment, only pax can hold it\n',
  'données/résumé.txt': 'accents\n',
  'empty.txt': '',
};

// Measured with the code of commit 43f0e35 (before the string sort, octal digits and path fast path).
const GOLDEN_LENGTH = 1_369_600;
const GOLDEN_SHA256 = '6b4a5e6ea0ccaa1fa5b756988a0e39147361ccee64398f0d57834ca0de1f37ca';

describe('deterministic archive', () => {
  it('gives byte-identical tar streams for the same inputs, whatever the files’ mtimes and modes', async () => {
    await using tmp = await makeTempDir();
    const files = await writeOutputs(tmp.dir, contents);
    const first = await archiveOf(tmp.dir, files);
    await utimes(path.join(tmp.dir, 'README.md'), new Date('2001-01-01'), new Date('2001-01-01'));
    await chmod(path.join(tmp.dir, 'report/summary.csv'), 0o600);
    const second = await archiveOf(tmp.dir, files);
    expect(sha256(second)).toBe(sha256(first));
    expect(first.length % 512).toBe(0);
  });

  it('gives the same bytes as the release before the small-file fast path (SHA-256 of the stream)', async () => {
    await using tmp = await makeTempDir();
    const many: Record<string, string> = {};
    for (let i = 0; i < 700; i += 1) many[`many/d${i % 7}/f${i}.bin`] = `${i}`.repeat(1 + (i % 600));
    const files = await writeOutputs(tmp.dir, {
      ...contents,
      ...many,
      'emoji/😀.txt': 'x',
      'ko/한국.txt': 'y',
    });
    const stream = await archiveOf(tmp.dir, files);
    expect([stream.length, sha256(stream)]).toEqual([GOLDEN_LENGTH, GOLDEN_SHA256]);
  });

  it('lists sorted entries owned by 0/0, mode 0644, with the receipt time, for GNU tar', async () => {
    await using tmp = await makeTempDir();
    const outputs = path.join(tmp.dir, 'outputs');
    const files = await writeOutputs(outputs, contents);
    await writeFile(path.join(tmp.dir, 'p.tar'), await archiveOf(outputs, files));
    const listing = await runTool('tar', [
      '--numeric-owner',
      '--full-time',
      '-tvf',
      path.join(tmp.dir, 'p.tar'),
    ]);
    const lines = listing.trim().split('\n');
    const names = lines.map((l) => l.split(/\s+/).slice(5).join(' '));
    expect(names).toEqual([
      'req-1-report-inputs/RECEIPT.json',
      'req-1-report-inputs/SHA256SUMS',
      ...Object.keys(contents)
        .map((n) => `req-1-report-inputs/files/${n}`)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    ]);
    for (const line of lines) expect(line).toMatch(/^-rw-r--r-- 0\/0 .* 2026-03-01 12:00:00 /);
  });

  it('orders names without astral characters by their UTF-8 bytes (the string-order shortcut)', async () => {
    await using tmp = await makeTempDir();
    const outputs = path.join(tmp.dir, 'outputs');
    const names = ['ko/한국.txt', 'e/é.txt', 'e/z.txt', 'é.txt', 'Z.txt', '\ufb00.txt', 'a b.txt', 'a-b.txt'];
    const files = await writeOutputs(outputs, Object.fromEntries(names.map((n) => [n, n])));
    await writeFile(path.join(tmp.dir, 'p.tar'), await archiveOf(outputs, files));
    const listing = await runTool('tar', ['-tf', path.join(tmp.dir, 'p.tar')]);
    const listed = listing
      .trim()
      .split('\n')
      .filter((l) => l.includes('/files/'))
      .map((l) => l.slice(l.indexOf('/files/') + '/files/'.length));
    expect(listed).toEqual([...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });

  it('extracts with GNU tar into files that `sha256sum -c SHA256SUMS` accepts', async () => {
    await using tmp = await makeTempDir();
    const outputs = path.join(tmp.dir, 'outputs');
    const files = await writeOutputs(outputs, contents);
    const extracted = path.join(tmp.dir, 'x');
    await mkdir(extracted);
    await writeFile(path.join(tmp.dir, 'p.tar'), await archiveOf(outputs, files));
    await runTool('tar', ['-xf', path.join(tmp.dir, 'p.tar'), '-C', extracted]);
    const out = await runTool('sha256sum', ['-c', 'SHA256SUMS'], path.join(extracted, 'req-1-report-inputs'));
    expect(out).toContain(`files/${longName}: OK`);
    expect(out.trim().split('\n')).toHaveLength(Object.keys(contents).length + 1);
    const receipt = JSON.parse(
      await readFile(path.join(extracted, 'req-1-report-inputs/RECEIPT.json'), 'utf8'),
    );
    expect(receipt.files).toEqual(files);
  });

  it('reads back with tar-stream (the verify side), long and non-ASCII names included', async () => {
    await using tmp = await makeTempDir();
    const files = await writeOutputs(tmp.dir, contents);
    const extract = tar.extract();
    extract.end(await archiveOf(tmp.dir, files));
    const seen: Record<string, string> = {};
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      seen[entry.header.name] = sha256(Buffer.concat(parts));
    }
    for (const file of files) expect(seen[`req-1-report-inputs/files/${file.path}`]).toBe(file.sha256);
  });
});

describe('pins checked while reading', () => {
  const cases: { name: string; change(root: string): Promise<void>; message: RegExp }[] = [
    {
      name: 'same size, other content',
      change: (root) => writeFile(path.join(root, 'report/summary.csv'), 'region,count\nnorth,121\n'),
      message: /'report\/summary.csv' no longer matches its pin: its SHA-256 is [0-9a-f]{64}, pinned/,
    },
    {
      name: 'grown',
      change: (root) =>
        writeFile(path.join(root, 'report/summary.csv'), 'region,count\nnorth,120\nsouth,3\n'),
      message: /its size is 31 bytes, pinned 23/,
    },
  ];
  it.each(cases)('aborts the stream when a file changed: $name', async ({ change, message }) => {
    await using tmp = await makeTempDir();
    const files = await writeOutputs(tmp.dir, contents);
    await change(tmp.dir);
    const error = await archiveOf(tmp.dir, files).catch((e: unknown) => e);
    expect(isEgressError(error) && error.code).toBe('INTEGRITY');
    expect((error as Error).message).toMatch(message);
  });

  it('refuses an item that is a symlink leading out of the outputs root', async () => {
    await using tmp = await makeTempDir();
    const outputs = path.join(tmp.dir, 'outputs');
    await writeOutputs(outputs, { 'a.txt': 'a' });
    await writeFile(path.join(tmp.dir, 'secret.txt'), 'secret');
    await symlink(path.join(tmp.dir, 'secret.txt'), path.join(outputs, 'leak.txt'));
    const files = [{ path: 'leak.txt', sha256: sha256('secret'), size: 6 }];
    await expect(archiveOf(outputs, files)).rejects.toThrow(/'leak.txt' resolves outside the outputs root/);
  });

  it.each(['../secret.txt', '/etc/passwd', 'a/./b', 'a//b'])(
    'refuses the unsafe item path %s',
    async (bad) => {
      await using tmp = await makeTempDir();
      expect(() =>
        planArchive({
          root: 'r',
          outputsRoot: tmp.dir,
          receipt: buildReceipt({ files: [{ path: bad, sha256: sha256(''), size: 0 }] }),
        }),
      ).toThrow(/(is absolute|has a '\.\.' segment|has an empty or '\.' segment).*; refused\.$/);
    },
  );
});

describe('describeUnsafeArchivePath', () => {
  // The fast pattern must never pass a path the manifest's rule (plus "names a file") refuses.
  const reference = (p: string) =>
    describeUnsafeItemPath(p) ?? (p === '' || p.endsWith('/') ? `'${p}' names no file` : undefined);
  it('agrees with the manifest rule on every path over a hostile alphabet', () => {
    const alphabet = ['a', 'b', '.', '/', '\\', '~', ':', 'C', '\n', '\u007f', ' ', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 9 }), (chars) => {
        const p = chars.join('');
        expect(describeUnsafeArchivePath(p)).toBe(reference(p));
      }),
      { numRuns: 20_000 },
    );
    for (const p of ['..', '.', '', '/', 'a/', 'a//b', './a', 'a/./b', 'a/../b', '~x', 'C:x', 'a\\b', 'a\tb'])
      expect(describeUnsafeArchivePath(p)).toBe(reference(p));
    for (const p of ['a', 'a.b', '.hidden', 'a/..b', 'a/b..', '...', 'x/.../y', 'données/résumé.txt'])
      expect(describeUnsafeArchivePath(p)).toBeUndefined();
  });
});
