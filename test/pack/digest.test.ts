import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile, hashFiles, readChunkBytes } from '../../action/src/pack/digest.js';

describe('digest', () => {
  let dir: string;
  const contents: Record<string, Buffer> = {
    'empty.bin': Buffer.alloc(0),
    'one-byte.bin': Buffer.from('x'),
    'exactly-one-chunk.bin': randomBytes(readChunkBytes),
    'several-chunks.bin': randomBytes(3 * readChunkBytes + 7),
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egress-digest-'));
    for (const [name, data] of Object.entries(contents)) await writeFile(join(dir, name), data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(Object.keys(contents))('hashes %s like sha256sum', async (name) => {
    const expected = createHash('sha256').update(contents[name]!).digest('hex');
    expect(await hashFile(join(dir, name))).toEqual({ sha256: expected, size: contents[name]!.length });
  });

  it('hashes many files concurrently, keeps their order and reports progress', async () => {
    const names = Object.keys(contents);
    const progress: [number, number, number][] = [];
    const digests = await hashFiles(
      names.map((n) => join(dir, n)),
      { concurrency: 3, onProgress: (done, total, bytes) => progress.push([done, total, bytes]) },
    );
    expect(digests.map((d) => d.size)).toEqual(names.map((n) => contents[n]!.length));
    expect(progress.map(([done]) => done)).toEqual([1, 2, 3, 4]);
    const total = names.reduce((sum, n) => sum + contents[n]!.length, 0);
    expect(progress.at(-1)).toEqual([4, 4, total]);
  });

  it('fails on a missing file with its path in the error', async () => {
    await expect(hashFile(join(dir, 'absent.bin'))).rejects.toThrow(/absent\.bin/);
  });

  it('handles an empty list', async () => {
    expect(await hashFiles([])).toEqual([]);
  });
});
