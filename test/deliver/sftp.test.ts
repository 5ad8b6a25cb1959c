import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryFile, DestinationSecrets } from '../../action/src/deliver/delivery.js';
import { createSftpDelivery, type SftpDeliveryOptions } from '../../action/src/deliver/sftp.js';
import type { SftpDestination } from '../../action/src/manifest/config-types.js';
import { EgressError } from '../../action/src/shared/errors.js';
import { makeTempDir, type TempDir } from '../pack/pack-fixtures.js';
import { expectHoldsAndRemovePending } from './pending-contract.js';
import { generateClientKey, type SshdFixture, startSshd } from './sshd-fixture.js';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('sftp delivery against a real sshd', () => {
  let sshd: SshdFixture;
  let work: TempDir;
  beforeAll(async () => {
    sshd = await startSshd();
    work = await makeTempDir('egress-sftp-');
  });
  afterAll(async () => {
    await sshd?.close();
    await work?.[Symbol.asyncDispose]();
  });

  const destination = (overrides: Partial<SftpDestination> = {}): SftpDestination => ({
    kind: 'sftp',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    remoteDir: sshd.remoteDir,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    ...overrides,
  });

  function open(
    overrides: Partial<SftpDestination> = {},
    secrets: DestinationSecrets = { sftpPrivateKey: sshd.privateKey },
    options: SftpDeliveryOptions = { attempts: 2, backoffMs: 10 },
  ) {
    return createSftpDelivery(destination(overrides), { repoRoot: work.dir, secrets }, options);
  }

  async function source(name: string, content: Buffer | string): Promise<DeliveryFile> {
    const localPath = join(work.dir, name);
    await writeFile(localPath, content);
    return { localPath, remoteName: name, sha256: sha(content), size: Buffer.byteLength(content) };
  }

  const authLines = () =>
    sshd
      .log()
      .split('\n')
      .filter((line) =>
        /userauth-request|Accepted publickey|Failed publickey|Postponed publickey/.test(line),
      );

  it('delivers the files under their final names, and a re-run sends nothing', async () => {
    const delivery = open();
    const data = randomBytes(3 << 20);
    const files = [await source('a.tar.gpg', data), await source('a.tar.gpg.receipt.asc', 'signed receipt')];
    try {
      const first = await delivery.deliver('req-round-trip', files);
      expect(first).toEqual({
        location: `sftp://${sshd.user}@127.0.0.1:${sshd.port}${sshd.remoteDir}/req-round-trip/`,
        alreadyDelivered: false,
      });
      const folder = join(sshd.root, 'req-round-trip');
      expect((await readdir(folder)).sort()).toEqual(['a.tar.gpg', 'a.tar.gpg.receipt.asc']);
      expect(sha(await readFile(join(folder, 'a.tar.gpg')))).toBe(sha(data));
      expect(await delivery.readExisting('req-round-trip', 'a.tar.gpg.receipt.asc', 1000)).toBe(
        'signed receipt',
      );
      expect(await delivery.readExisting('req-round-trip', 'missing.asc', 1000)).toBeUndefined();

      let progressed = 0;
      const again = await open().deliver('req-round-trip', files, () => {
        progressed += 1;
      });
      expect(again.alreadyDelivered).toBe(true);
      expect(progressed).toBe(0);
    } finally {
      await delivery.close();
    }
  });

  it('never overwrites a final name that holds other content', async () => {
    const delivery = open();
    try {
      await delivery.deliver('req-conflict', [await source('b.tar.gpg', 'first package')]);
      const other = await source('b.tar.gpg', 'other package');
      await expect(delivery.deliver('req-conflict', [other])).rejects.toThrow(
        /already exists with different content/,
      );
      expect(await readFile(join(sshd.root, 'req-conflict', 'b.tar.gpg'), 'utf8')).toBe('first package');
    } finally {
      await delivery.close();
    }
  });

  it('says what a final name holds, and removes pending receipts only', async () => {
    const delivery = open();
    try {
      await expectHoldsAndRemovePending(delivery, 'req-pending', source, () =>
        readdir(join(sshd.root, 'req-pending')),
      );
    } finally {
      await delivery.close();
    }
  });

  it('does not replace a file that appears under the final name while the upload runs', async () => {
    const delivery = open();
    const file = await source('c.tar.gpg', randomBytes(2 << 20));
    const folder = join(sshd.root, 'req-race');
    let planted = false;
    try {
      await expect(
        delivery.deliver('req-race', [file], () => {
          if (planted) return;
          planted = true;
          // Someone else's file, written on the server between our check and our rename.
          writeFileSync(join(folder, 'c.tar.gpg'), 'not ours');
        }),
      ).rejects.toThrow(/already exists with different content/);
      expect(await readFile(join(folder, 'c.tar.gpg'), 'utf8')).toBe('not ours');
    } finally {
      await delivery.close();
    }
  });

  it('sends nothing under the final name when the local file is not the pinned one', async () => {
    const delivery = open();
    const file = { ...(await source('j.tar.gpg', 'package')), sha256: sha('what was packed') };
    try {
      await expect(delivery.deliver('req-changed', [file])).rejects.toThrow(/not to its pin/);
      expect(await readdir(join(sshd.root, 'req-changed'))).toEqual([]);
    } finally {
      await delivery.close();
    }
  });

  it('refuses a host whose key is not the pinned one before authenticating, and sends nothing', async () => {
    const before = authLines().length;
    const wrongPin = `SHA256:${createHash('sha256').update('another host').digest('base64').replace(/=+$/, '')}`;
    const delivery = open({ hostKeyFingerprint: wrongPin });
    const file = await source('d.tar.gpg', 'package');
    const failure = await delivery.deliver('req-wrong-host', [file]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EgressError);
    expect((failure as EgressError).transient).toBe(false);
    expect((failure as EgressError).message).toContain(`presented host key ${sshd.hostKeyFingerprint}`);
    expect((failure as EgressError).message).toContain('nothing was sent');
    await delivery.close();
    // sshd logged no authentication request at all, and nothing reached the disk.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(authLines().slice(before)).toEqual([]);
    expect(await readdir(sshd.root)).not.toContain('req-wrong-host');
    // The log does record authentications: the same upload with the right pin shows one.
    const right = open();
    await right.deliver('req-wrong-host', [file]);
    await right.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(authLines().slice(before).join('\n')).toMatch(/Accepted publickey/);
  });

  it('says the key was refused and uploads nothing when the key is not authorized', async () => {
    const stranger = await generateClientKey(work.dir, 'stranger');
    const delivery = open({}, { sftpPrivateKey: stranger.privateKey });
    const failure = await delivery
      .deliver('req-wrong-key', [await source('e.tar.gpg', 'package')])
      .catch((error: unknown) => error);
    expect((failure as EgressError).message).toMatch(
      /refused the key .*authentication failed.*nothing was uploaded/,
    );
    expect((failure as EgressError).transient).toBe(false);
    expect(String((failure as Error).message)).not.toContain(stranger.privateKey.slice(40, 80));
    expect(await readdir(sshd.root)).not.toContain('req-wrong-key');
  });

  it('treats an expired key like a refused one', async () => {
    const expiring = await generateClientKey(work.dir, 'expired');
    const original = await readFile(sshd.authorizedKeysFile, 'utf8');
    await writeFile(sshd.authorizedKeysFile, `${original}expiry-time="20200101" ${expiring.publicKey}\n`);
    try {
      const delivery = open({}, { sftpPrivateKey: expiring.privateKey });
      await expect(delivery.deliver('req-expired', [await source('f.tar.gpg', 'package')])).rejects.toThrow(
        /refused the key/,
      );
      expect(sshd.log()).toMatch(/expired/i);
      expect(await readdir(sshd.root)).not.toContain('req-expired');
    } finally {
      await writeFile(sshd.authorizedKeysFile, original);
    }
  });

  it('says permission was denied and uploads nothing with a read-only login', async () => {
    const reader = await generateClientKey(work.dir, 'reader');
    const original = await readFile(sshd.authorizedKeysFile, 'utf8');
    await writeFile(
      sshd.authorizedKeysFile,
      `${original}restrict,command="internal-sftp -R" ${reader.publicKey}\n`,
    );
    const delivery = open({}, { sftpPrivateKey: reader.privateKey });
    try {
      const failure = await delivery
        .deliver('req-read-only', [await source('k.tar.gpg', 'package')])
        .catch((error: unknown) => error);
      expect((failure as EgressError).message).toMatch(/permission denied \(the login may be read-only/);
      expect((failure as EgressError).transient).toBe(false);
      expect(await readdir(sshd.root)).not.toContain('req-read-only');
    } finally {
      await delivery.close();
      await writeFile(sshd.authorizedKeysFile, original);
    }
  });

  it('logs in with a passphrase-protected key, and says which secret is wrong otherwise', async () => {
    const locked = await generateClientKey(work.dir, 'locked', 'correct horse');
    const original = await readFile(sshd.authorizedKeysFile, 'utf8');
    await writeFile(sshd.authorizedKeysFile, `${original}${locked.publicKey}\n`);
    try {
      const good = open({}, { sftpPrivateKey: locked.privateKey, sftpPrivateKeyPassphrase: 'correct horse' });
      await good.deliver('req-passphrase', [await source('l.tar.gpg', 'package')]);
      await good.close();
      expect(await readdir(join(sshd.root, 'req-passphrase'))).toEqual(['l.tar.gpg']);
      const bad = open(
        {},
        { sftpPrivateKey: locked.privateKey, sftpPrivateKeyPassphrase: 'not-the-passphrase-7Q' },
      );
      const failure = await bad
        .deliver('req-passphrase-2', [await source('m.tar.gpg', 'package')])
        .catch((error: unknown) => error);
      expect((failure as EgressError).code).toBe('CONFIG');
      expect((failure as EgressError).message).toMatch(/sftp-private-key-passphrase/);
      expect((failure as EgressError).message).not.toContain('not-the-passphrase-7Q');
    } finally {
      await writeFile(sshd.authorizedKeysFile, original);
    }
  });

  it('asks for the secret when no key is configured', async () => {
    const delivery = open({}, {});
    await expect(delivery.deliver('req-no-key', [await source('g.tar.gpg', 'package')])).rejects.toThrow(
      /set the sftp-private-key secret/,
    );
  });

  it('says so when the remote directory does not exist', async () => {
    const delivery = open({ remoteDir: `${sshd.remoteDir}/nowhere` });
    try {
      await expect(delivery.deliver('req-x', [await source('h.tar.gpg', 'package')])).rejects.toThrow(
        /remoteDir .*nowhere does not exist/,
      );
    } finally {
      await delivery.close();
    }
  });

  it('gives up with a transient error when the server stays away', async () => {
    const delivery = createSftpDelivery(
      destination({ port: 1 }),
      { repoRoot: work.dir, secrets: { sftpPrivateKey: sshd.privateKey } },
      { attempts: 3, backoffMs: 5 },
    );
    const failure = await delivery
      .deliver('req-gone', [await source('i.tar.gpg', 'package')])
      .catch((error: unknown) => error);
    expect((failure as EgressError).transient).toBe(true);
    expect((failure as EgressError).message).toMatch(/failed 3 times.*retry the job/);
  });
});
