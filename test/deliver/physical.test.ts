import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPhysicalDelivery } from '../../action/src/deliver/physical.js';
import { expectHoldsAndRemovePending } from './pending-contract.js';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('physical delivery', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'egress-physical-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function source(name: string, content: string) {
    const localPath = join(work, name);
    await writeFile(localPath, content);
    return { localPath, remoteName: name, sha256: sha(content), size: content.length };
  }

  it('puts every file under its final name, and a re-run is a no-op', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const files = [await source('a.tar.gpg', 'package'), await source('a.receipt.json.asc', 'receipt')];
    const first = await delivery.deliver('req-1', files);
    expect(first).toMatchObject({ location: join(work, 'disk', 'req-1'), alreadyDelivered: false });
    expect((await readdir(first.location)).sort()).toEqual(['a.receipt.json.asc', 'a.tar.gpg']);
    expect(await readFile(join(first.location, 'a.tar.gpg'), 'utf8')).toBe('package');
    const again = await delivery.deliver('req-1', files);
    expect(again.alreadyDelivered).toBe(true);
    expect(again.custody).toBeUndefined();
  });

  it('says what a final name holds, and removes pending receipts only', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    await expectHoldsAndRemovePending(delivery, 'req-pending', source, () =>
      readdir(join(work, 'disk', 'req-pending')),
    );
  });

  it('records who wrote which labelled disk, and when', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk', deviceLabel: 'TRE-DISK-0042' },
      { repoRoot: work, secrets: {}, actor: 'dora', now: () => new Date('2026-12-01T10:00:00Z') },
    );
    const result = await delivery.deliver('req-2', [await source('a.tar.gpg', 'package')]);
    expect(result.custody).toEqual({
      by: 'dora',
      at: '2026-12-01T10:00:00.000Z',
      deviceLabel: 'TRE-DISK-0042',
    });
    const unlabelled = createPhysicalDelivery(
      { kind: 'physical', path: 'disk2' },
      { repoRoot: work, secrets: {} },
    );
    const second = await unlabelled.deliver('req-2', [await source('b.tar.gpg', 'package')]);
    expect(second.custody?.deviceLabel).toBe(join(work, 'disk2'));
  });

  it('refuses to overwrite a delivered file with other content', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    await delivery.deliver('req-1', [await source('a.tar.gpg', 'package')]);
    const changed = await source('a.tar.gpg', 'other package');
    await expect(delivery.deliver('req-1', [changed])).rejects.toThrow(
      /already exists with different content/,
    );
    expect(await readFile(join(work, 'disk', 'req-1', 'a.tar.gpg'), 'utf8')).toBe('package');
  });

  it('leaves nothing behind when the copy does not match its pin', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const file = { ...(await source('a.tar.gpg', 'package')), sha256: sha('something else') };
    await expect(delivery.deliver('req-1', [file])).rejects.toThrow(/nothing was delivered/);
    expect(await readdir(join(work, 'disk', 'req-1'))).toEqual([]);
  });

  it('never replaces a final name that appears while the copy is running', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const file = await source('a.tar.gpg', 'package');
    const target = join(work, 'disk', 'req-1', 'a.tar.gpg');
    let raced = false;
    const failure = delivery
      .deliver('req-1', [file], () => {
        if (raced) return;
        raced = true;
        // Another run (or a person) puts different content under the final name mid-copy.
        writeFileSync(target, 'someone else');
      })
      .catch((error: unknown) => error);
    expect(String((await failure) as Error)).toMatch(/already exists with different content/);
    expect(raced).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('someone else');
    expect(await readdir(join(work, 'disk', 'req-1'))).toEqual(['a.tar.gpg']);
  });

  it('counts a final name that appears mid-copy with the same content as delivered', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const file = await source('a.tar.gpg', 'package');
    const target = join(work, 'disk', 'req-1', 'a.tar.gpg');
    let raced = false;
    const result = await delivery.deliver('req-1', [file], () => {
      if (raced) return;
      raced = true;
      writeFileSync(target, 'package');
    });
    expect(result.alreadyDelivered).toBe(true);
    expect(await readdir(join(work, 'disk', 'req-1'))).toEqual(['a.tar.gpg']);
  });

  it('ends two concurrent deliveries of the same file in one verified file', async () => {
    const content = randomBytes(5 << 20);
    const localPath = join(work, 'a.tar.gpg');
    await writeFile(localPath, content);
    const file = { localPath, remoteName: 'a.tar.gpg', sha256: sha(content), size: content.length };
    const run = () =>
      createPhysicalDelivery({ kind: 'physical', path: 'disk' }, { repoRoot: work, secrets: {} }).deliver(
        'req-1',
        [file],
      );
    const results = await Promise.all([run(), run(), run()]);
    expect(results.filter((r) => !r.alreadyDelivered)).toHaveLength(1);
    expect(await readdir(join(work, 'disk', 'req-1'))).toEqual(['a.tar.gpg']);
    expect(sha(await readFile(join(work, 'disk', 'req-1', 'a.tar.gpg')))).toBe(file.sha256);
  });

  it('refuses names that could leave the destination folder', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const file = await source('a.tar.gpg', 'package');
    await expect(delivery.deliver('../up', [file])).rejects.toThrow(/unsafe delivery folder/);
    await expect(delivery.deliver('req', [{ ...file, remoteName: '../a' }])).rejects.toThrow(
      /unsafe file name/,
    );
  });
});

/** A real, tiny filesystem (tmpfs), where the kernel itself answers ENOSPC; needs mount rights. */
function mountTiny(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0755', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const canMount =
  process.getuid?.() === 0 &&
  (() => {
    const probe = mkdtempSync(join(tmpdir(), 'egress-mount-probe-'));
    const ok = mountTiny(probe);
    if (ok) execFileSync('umount', [probe]);
    rmSync(probe, { recursive: true, force: true });
    return ok;
  })();

describe.skipIf(!canMount)('physical delivery onto a full disk (tmpfs of 4 MiB)', () => {
  let work: string;
  let disk: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'egress-physical-full-'));
    disk = join(work, 'disk');
    await mkdir(disk);
    expect(mountTiny(disk)).toBe(true);
  });
  afterEach(async () => {
    execFileSync('umount', [disk]);
    await rm(work, { recursive: true, force: true });
  });

  async function big(name: string, bytes: number) {
    const content = randomBytes(bytes);
    const localPath = join(work, name);
    await writeFile(localPath, content);
    return { localPath, remoteName: name, sha256: sha(content), size: bytes };
  }

  it('refuses before writing when the files cannot fit', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const file = await big('a.tar.gpg', 6 << 20);
    await expect(delivery.deliver('req-1', [file])).rejects.toThrow(
      /not enough space on .*disk for a\.tar\.gpg .*nothing was delivered/,
    );
    expect(await readdir(join(disk, 'req-1'))).toEqual([]);
  });

  it('removes the partial copy when the disk fills up during the copy', async () => {
    const delivery = createPhysicalDelivery(
      { kind: 'physical', path: 'disk' },
      { repoRoot: work, secrets: {} },
    );
    const file = await big('a.tar.gpg', 3 << 20);
    let filled = false;
    const failure = await delivery
      .deliver('req-1', [file], () => {
        if (filled) return;
        filled = true;
        // Someone else takes the space once our copy has started.
        try {
          writeFileSync(join(disk, 'filler'), Buffer.alloc(4 << 20));
        } catch {
          // ENOSPC here too: the filler takes what there is
        }
      })
      .catch((error: unknown) => error);
    expect(String((failure as Error).message)).toMatch(/filled up while copying.*no partial copy was left/);
    expect(await readdir(join(disk, 'req-1'))).toEqual([]);
  });
});
