import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createSftpDelivery } from '../../action/src/deliver/sftp.js';
import { makeTempDir } from '../pack/pack-fixtures.js';
import { startSshd } from './sshd-fixture.js';

const MiB = 1 << 20;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

it('survives sshd being killed mid-upload five times: one complete file, resumed each time', async () => {
  await using sshd = await startSshd();
  await using work = await makeTempDir('egress-sftp-resume-');
  const size = 64 * MiB;
  const data = randomBytes(size);
  const localPath = join(work.dir, 'big.tar.gpg');
  await writeFile(localPath, data);
  const file = { localPath, remoteName: 'big.tar.gpg', sha256: sha(data), size };

  // Segments of the upload as the adapter reports them: where each attempt started and got to.
  const segments: { from: number; to: number }[] = [{ from: 0, to: 0 }];
  const log = (message: string) => {
    const resumed = /resuming big\.tar\.gpg at byte (\d+)/.exec(message);
    if (resumed) segments.push({ from: Number(resumed[1]), to: Number(resumed[1]) });
  };
  const kills: number[] = [];
  let restarting: Promise<void> | undefined;
  const delivery = createSftpDelivery(
    {
      kind: 'sftp',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
      remoteDir: sshd.remoteDir,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    },
    { repoRoot: work.dir, secrets: { sftpPrivateKey: sshd.privateKey }, log },
    { attempts: 8, backoffMs: 50 },
  );
  const folder = join(sshd.root, 'req-resume');
  try {
    const result = await delivery.deliver('req-resume', [file], (_name, offset) => {
      const segment = segments.at(-1);
      if (segment) segment.to = Math.max(segment.to, offset);
      const threshold = ((kills.length + 1) * size) / 7;
      if (kills.length < 5 && !restarting && offset >= threshold) {
        kills.push(offset);
        sshd.kill(); // listener and session processes: the transfer dies with them
        restarting = new Promise((resolve) => setTimeout(resolve, 100))
          .then(() => sshd.restart())
          .finally(() => {
            restarting = undefined;
          });
      }
    });
    expect(result.alreadyDelivered).toBe(false);
  } finally {
    await delivery.close();
  }
  expect(kills).toHaveLength(5);
  // Each restart resumed from what the server had, never from zero.
  expect(segments).toHaveLength(6);
  for (const segment of segments.slice(1)) expect(segment.from).toBeGreaterThan(0);
  const sent = segments.reduce((sum, segment) => sum + (segment.to - segment.from), 0);
  // Starting over each time would have re-sent about 2.1 × size (137 MiB); resuming re-sends only
  // what was in flight when sshd died: at most the 8 MiB write queue, a read chunk and the socket
  // buffers (≈ 2–6 MiB measured per interruption).
  expect(sent - size).toBeLessThan(kills.length * 12 * MiB);
  // Exactly one file, complete, and no partial left beside it.
  expect(await readdir(folder)).toEqual(['big.tar.gpg']);
  expect(sha(await readFile(join(folder, 'big.tar.gpg')))).toBe(file.sha256);
}, 120_000);
