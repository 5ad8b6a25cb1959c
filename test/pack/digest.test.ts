import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashFile, hashFiles, readChunkBytes } from '../../action/src/pack/digest.js';
import { type DigestHelper, startDigestHelper } from '../../action/src/pack/digest-helper.js';

// Every helper hashFiles starts, so that a test can wait until it has done some work.
const helpers = vi.hoisted(() => [] as DigestHelper[]);
vi.mock('../../action/src/pack/digest-helper.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../action/src/pack/digest-helper.js')>();
  return {
    ...original,
    startDigestHelper(paths: readonly string[]) {
      const helper = original.startDigestHelper(paths);
      helpers.push(helper);
      return helper;
    },
  };
});

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

  it('hashes many files, keeps their order and reports progress', async () => {
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

  describe('a long list, shared with a second thread', () => {
    let tree: string;
    const sizes = Array.from({ length: 300 }, (_, i) =>
      i % 50 === 7 ? readChunkBytes + 3 : (i * 37) % 5000,
    );
    const paths = sizes.map((_, i) => `f${String(i).padStart(3, '0')}.bin`);
    beforeAll(async () => {
      tree = await mkdtemp(join(tmpdir(), 'egress-digest-two-'));
      await Promise.all(paths.map((p, i) => writeFile(join(tree, p), randomBytes(sizes[i]!))));
    });
    afterAll(() => rm(tree, { recursive: true, force: true }));

    const absolute = () => paths.map((p) => join(tree, p));
    // This thread waits before its second file until the helper has hashed some (up to 10 s).
    const holdUpOnce = () => {
      let held = false;
      return () => {
        if (held) return;
        held = true;
        const helper = helpers.at(-1)!;
        const tick = new Int32Array(new SharedArrayBuffer(4));
        for (let waited = 0; waited < 10_000 && helper.done().files === 0; waited += 10) {
          Atomics.wait(tick, 0, 0, 10);
        }
      };
    };

    it('the helper alone hashes every file it is left, and has no result for one it cannot read', async () => {
      const files = absolute();
      files[5] = join(tree, 'absent-5.bin');
      const helper = startDigestHelper(files);
      try {
        await helper.finished;
        expect(helper.busy()).toBe(false);
        expect(helper.done()).toEqual({
          files: 300,
          bytes: sizes.reduce((sum, size, i) => sum + (i === 5 ? 0 : size), 0),
        });
        for (const [i, file] of files.entries()) {
          if (i === 5) expect(helper.result(i)).toBeUndefined();
          else expect(helper.result(i)).toEqual(await hashFile(file));
        }
        expect(helper.claim()).toBeGreaterThanOrEqual(300);
      } finally {
        await helper.close();
      }
    });

    it('gives every file its own digest in the order asked, whichever thread hashed it', async () => {
      const progress: [number, number, number][] = [];
      const hold = holdUpOnce();
      const digests = await hashFiles(absolute(), {
        helperFrom: 2,
        onProgress: (done, total, bytes) => {
          progress.push([done, total, bytes]);
          hold();
        },
      });
      expect(digests).toEqual(await Promise.all(absolute().map((p) => hashFile(p))));
      const dones = progress.map(([done]) => done);
      expect(dones).toEqual([...dones].sort((a, b) => a - b));
      // The helper's files show as a jump in the count; "all done" comes once, at the total.
      expect(dones.some((done, i) => i > 0 && done - dones[i - 1]! > 1)).toBe(true);
      expect(dones.filter((done) => done === 300)).toHaveLength(1);
      expect(progress.at(-1)).toEqual([300, 300, sizes.reduce((a, b) => a + b, 0)]);
    });

    it('fails on the first unreadable file in list order, with its own error, whoever met it first', async () => {
      const files = absolute();
      files[40] = join(tree, 'absent-40.bin');
      files[250] = join(tree, 'absent-250.bin');
      files[100] = tree; // a directory
      for (const onProgress of [undefined, holdUpOnce()]) {
        await expect(hashFiles(files, { helperFrom: 2, onProgress })).rejects.toThrow(
          /ENOENT.*absent-40\.bin/,
        );
      }
      files[40] = join(tree, paths[40]!);
      await expect(hashFiles(files, { helperFrom: 2, onProgress: holdUpOnce() })).rejects.toThrow(/EISDIR/);
    });
  });
});
