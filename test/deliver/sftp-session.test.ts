import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fingerprintHostKey, openSftpSession } from '../../action/src/deliver/sftp/session.js';
import { hashRemote } from '../../action/src/deliver/sftp/transfer.js';
import { startSshd } from './sshd-fixture.js';

it('computes the host key fingerprint exactly as ssh-keygen -lf prints it', async () => {
  await using sshd = await startSshd();
  // The raw key is the base64 blob of the .pub line; ssh-keygen printed sshd.hostKeyFingerprint.
  const config = readFileSync(join(sshd.authorizedKeysFile, '..', 'host_ed25519.pub'), 'utf8');
  const blob = Buffer.from(config.split(' ')[1] as string, 'base64');
  expect(fingerprintHostKey(blob)).toBe(sshd.hostKeyFingerprint);
});

// A read stream closes its handle after the last byte; when the connection drops before the
// server answers that close, the failure must not surface as an uncaught exception (it did).
it('survives the connection dropping right after a read, with no uncaught error', async () => {
  await using sshd = await startSshd();
  writeFileSync(join(sshd.root, 'receipt.asc'), 'signed receipt');
  for (let i = 0; i < 10; i += 1) {
    const session = await openSftpSession({
      destination: {
        kind: 'sftp',
        host: sshd.host,
        port: sshd.port,
        user: sshd.user,
        remoteDir: sshd.remoteDir,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
      },
      credentials: { privateKey: sshd.privateKey },
    });
    expect(await hashRemote(session, join(sshd.root, 'receipt.asc'))).toMatch(/^[0-9a-f]{64}$/);
    sshd.kill();
    await sshd.restart();
    await session.end();
  }
});
