import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packCollection } from '../../action/src/pack/package-collection.js';
import { EgressError } from '../../action/src/shared/errors.js';
import {
  buildReceipt,
  makeGnupgHome,
  makeTempDir,
  makeTestKey,
  runTool,
  sha256,
  writeOutputs,
} from './pack-fixtures.js';

const outputs = {
  'report/summary.csv': 'region,count\nnorth,120\nsouth,98\n',
  'report/figures/fig1.png': Buffer.alloc(3 * 1024 * 1024 + 17, 9),
  'code/analysis.py': 'print("hello")\n',
};

describe('packCollection', () => {
  it('makes a package GnuPG 2.2 decrypts and verifies, whose files pass `sha256sum -c`', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const [recipient, other, signer] = await Promise.all([
      makeTestKey('Recipient'),
      makeTestKey('Second'),
      makeTestKey('Egress'),
    ]);
    const root = path.join(tmp.dir, 'outputs');
    const files = await writeOutputs(root, outputs);
    const receipt = buildReceipt({
      files,
      recipients: [recipient.fingerprint, other.fingerprint],
      signer: signer.fingerprint,
    });
    const packed = await packCollection({
      receipt,
      outputsRoot: root,
      outDir: path.join(tmp.dir, 'out'),
      encryptionKeys: [recipient.publicKey, other.publicKey],
      signingKey: signer.secretKey,
    });
    expect(packed.file).toBe('req-1-report-inputs.tar.gpg');
    expect(await readdir(path.join(tmp.dir, 'out'))).toEqual([packed.file]);
    expect(sha256(await readFile(packed.path))).toBe(packed.sha256);

    await gnupg.importKey(recipient.secretArmored);
    await gnupg.importKey(signer.publicArmored);
    const tarPath = path.join(tmp.dir, 'p.tar');
    const { stdout } = await gnupg.gpg(['--status-fd', '1', '--output', tarPath, '--decrypt', packed.path]);
    expect(stdout).toContain(`[GNUPG:] VALIDSIG ${signer.fingerprint}`);
    expect(stdout).toContain('[GNUPG:] DECRYPTION_OKAY');
    expect(stdout).not.toContain('DECRYPTION_COMPLIANCE_MODE'); // present only for AEAD/v5 formats gpg 2.2 lacks
    expect(stdout).toMatch(/\[GNUPG:\] DECRYPTION_INFO 2 9/); // MDC (SHA-1) + AES-256: SEIPDv1

    const extracted = path.join(tmp.dir, 'x');
    await mkdir(extracted);
    await runTool('tar', ['-xf', tarPath, '-C', extracted]);
    const check = await runTool(
      'sha256sum',
      ['-c', 'SHA256SUMS'],
      path.join(extracted, 'req-1-report-inputs'),
    );
    expect(check).toContain('files/report/figures/fig1.png: OK');
    expect(check).toContain('RECEIPT.json: OK');
    const inside = JSON.parse(
      await readFile(path.join(extracted, 'req-1-report-inputs/RECEIPT.json'), 'utf8'),
    );
    expect(inside).toEqual(receipt);
  });

  it('stores the package uncompressed (gpg reports no compression packet)', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
    const root = path.join(tmp.dir, 'outputs');
    const files = await writeOutputs(root, { 'a.txt': 'a'.repeat(100_000) });
    const packed = await packCollection({
      receipt: buildReceipt({ files }),
      outputsRoot: root,
      outDir: tmp.dir,
      encryptionKeys: [recipient.publicKey],
      signingKey: signer.secretKey,
    });
    // Repetitive text would shrink a lot if compressed.
    expect(packed.size).toBeGreaterThan(100_000);
    await gnupg.importKey(recipient.secretArmored);
    const { stdout } = await gnupg.gpg(['--list-packets', packed.path]);
    expect(stdout).not.toContain('compressed packet');
    expect(stdout).toContain('literal data packet');
  });

  it('writes nothing under the final name when a file no longer matches its pin', async () => {
    await using tmp = await makeTempDir();
    const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
    const root = path.join(tmp.dir, 'outputs');
    const files = await writeOutputs(root, outputs);
    // Same size, one byte different, late in a multi-chunk file: the stream is well under way.
    const figure = Buffer.alloc(3 * 1024 * 1024 + 17, 9);
    figure[figure.length - 2] = 8;
    await writeFile(path.join(root, 'report/figures/fig1.png'), figure);
    const outDir = path.join(tmp.dir, 'out');
    await expect(
      packCollection({
        receipt: buildReceipt({ files }),
        outputsRoot: root,
        outDir,
        encryptionKeys: [recipient.publicKey],
        signingKey: signer.secretKey,
      }),
    ).rejects.toThrow(/'report\/figures\/fig1.png' no longer matches its pin: its SHA-256 is/);
    expect(await readdir(outDir)).toEqual([]);
  });

  // The first read of a file happens while openpgp is still setting up its streams: an error there
  // used to escape as an unhandled rejection (the CLI died with a stack trace, the .partial stayed).
  it.each([
    [
      'a changed byte, same size',
      (root: string) => writeFile(path.join(root, 'a.txt'), 'jello\n'),
      'INTEGRITY',
      /'a.txt' no longer matches its pin: its SHA-256 is/,
    ],
    [
      'a changed size',
      (root: string) => writeFile(path.join(root, 'a.txt'), 'hello!\n'),
      'INTEGRITY',
      /'a.txt' no longer matches its pin: its size is 7 bytes, pinned 6/,
    ],
    [
      'a swap for a symlink that escapes the outputs root',
      async (root: string) => {
        await writeFile(path.join(root, '..', 'elsewhere.txt'), 'hello\n');
        await rm(path.join(root, 'a.txt'));
        await symlink(path.join(root, '..', 'elsewhere.txt'), path.join(root, 'a.txt'));
      },
      'INPUT',
      /'a.txt' resolves outside the outputs root/,
    ],
  ] as const)(
    'rejects with an EgressError and leaves no file on %s at the first read',
    async (_, change, code, message) => {
      await using tmp = await makeTempDir();
      const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
      const root = path.join(tmp.dir, 'outputs');
      const files = await writeOutputs(root, { 'a.txt': 'hello\n', 'b.txt': 'world\n' });
      await change(root);
      const outDir = path.join(tmp.dir, 'out');
      const failure = await packCollection({
        receipt: buildReceipt({ files }),
        outputsRoot: root,
        outDir,
        encryptionKeys: [recipient.publicKey],
        signingKey: signer.secretKey,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(EgressError);
      expect((failure as EgressError).code).toBe(code);
      expect((failure as EgressError).message).toMatch(message);
      expect(await readdir(outDir)).toEqual([]);
    },
  );
});
