import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packCollection } from '../../action/src/pack/package-collection.js';
import {
  buildReceipt,
  makeGnupgHome,
  makeTempDir,
  makeTestKey,
  runTool,
  sha256,
  writeOutputs,
} from './pack-fixtures.js';

// Random bytes over many 1 MiB chunks, so a reused buffer that was handed out twice, or a chunk
// written out of order, changes what GnuPG decrypts (constant-filled files would hide it).
describe('packCollection over many chunks', () => {
  it('round-trips 12 MiB of random data and 3,000 small files through GnuPG byte for byte', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
    const root = path.join(tmp.dir, 'outputs');
    const contents: Record<string, Uint8Array> = { 'big/data.bin': randomBytes(12 * 1024 * 1024 + 4321) };
    for (let i = 0; i < 3000; i += 1) {
      contents[`small/d${i % 10}/f${i}.bin`] = randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 37) % 9000));
    }
    const files = await writeOutputs(root, contents);
    const packed = await packCollection({
      receipt: buildReceipt({ files }),
      outputsRoot: root,
      outDir: path.join(tmp.dir, 'out'),
      encryptionKeys: [recipient.publicKey],
      signingKey: signer.secretKey,
    });
    expect(sha256(await readFile(packed.path))).toBe(packed.sha256);
    await gnupg.importKey(recipient.secretArmored);
    const tarPath = path.join(tmp.dir, 'p.tar');
    const { stdout } = await gnupg.gpg(['--status-fd', '1', '--output', tarPath, '--decrypt', packed.path]);
    expect(stdout).toContain('[GNUPG:] GOODMDC');
    expect((await readFile(tarPath)).length).toBe(packed.archiveBytes);
    const extracted = path.join(tmp.dir, 'x');
    await mkdir(extracted);
    await runTool('tar', ['-xf', tarPath, '-C', extracted]);
    const check = await runTool(
      'sha256sum',
      ['--quiet', '-c', 'SHA256SUMS'],
      path.join(extracted, 'req-1-report-inputs'),
    );
    expect(check).toBe('');
    const big = await readFile(path.join(extracted, 'req-1-report-inputs/files/big/data.bin'));
    expect(Buffer.compare(big, contents['big/data.bin']!)).toBe(0);
  });
});
