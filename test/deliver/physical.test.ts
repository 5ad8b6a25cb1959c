import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPhysicalDelivery } from '../../action/src/deliver/physical.js';

const sha = (data: string) => createHash('sha256').update(data).digest('hex');

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
    const delivery = createPhysicalDelivery({ kind: 'physical', path: 'disk' }, work);
    const files = [await source('a.tar.gpg', 'package'), await source('a.receipt.json.asc', 'receipt')];
    const first = await delivery.deliver('req-1', files);
    expect(first).toEqual({ location: join(work, 'disk', 'req-1'), alreadyDelivered: false });
    expect((await readdir(first.location)).sort()).toEqual(['a.receipt.json.asc', 'a.tar.gpg']);
    expect(await readFile(join(first.location, 'a.tar.gpg'), 'utf8')).toBe('package');
    const again = await delivery.deliver('req-1', files);
    expect(again.alreadyDelivered).toBe(true);
  });

  it('refuses to overwrite a delivered file with other content', async () => {
    const delivery = createPhysicalDelivery({ kind: 'physical', path: 'disk' }, work);
    await delivery.deliver('req-1', [await source('a.tar.gpg', 'package')]);
    const changed = await source('a.tar.gpg', 'other package');
    await expect(delivery.deliver('req-1', [changed])).rejects.toThrow(
      /already exists with different content/,
    );
    expect(await readFile(join(work, 'disk', 'req-1', 'a.tar.gpg'), 'utf8')).toBe('package');
  });

  it('leaves nothing behind when the copy does not match its pin', async () => {
    const delivery = createPhysicalDelivery({ kind: 'physical', path: 'disk' }, work);
    const file = { ...(await source('a.tar.gpg', 'package')), sha256: sha('something else') };
    await expect(delivery.deliver('req-1', [file])).rejects.toThrow(/nothing was delivered/);
    expect(await readdir(join(work, 'disk', 'req-1'))).toEqual([]);
  });

  it('refuses names that could leave the destination folder', async () => {
    const delivery = createPhysicalDelivery({ kind: 'physical', path: 'disk' }, work);
    const file = await source('a.tar.gpg', 'package');
    await expect(delivery.deliver('../up', [file])).rejects.toThrow(/unsafe delivery folder/);
    await expect(delivery.deliver('req', [{ ...file, remoteName: '../a' }])).rejects.toThrow(
      /unsafe file name/,
    );
  });
});
