import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCfbWorker } from '../../action/src/crypto/cfb-worker.js';
import { decryptVerifyToFile } from '../../action/src/crypto/decrypt-verify.js';
import { prepareOwnSeipd } from '../../action/src/crypto/encrypt.js';
import { PART_BYTES } from '../../action/src/crypto/packet-framing.js';
import { createAsyncFileSink, encryptChunksOwnSeipd } from '../../action/src/crypto/seipd-encrypt.js';
import { isEgressError } from '../../action/src/shared/errors.js';
import { makeGnupgHome, makeTempDir, makeTestKey, type TestKey } from '../pack/pack-fixtures.js';

// The literal body is 11 bytes longer than the data ('b', name length, 'x.bin', date); the SEIPD
// body 58 bytes longer while the literal body stays under 2^20 (version, prefix, literal packet
// tag and 5-octet length, MDC packet).
const literalBoundary = PART_BYTES - 11;
const seipdBoundary = PART_BYTES - 58;

async function encryptOwn(file: string, data: Uint8Array, to: TestKey[], passwords?: string[]) {
  const own = await prepareOwnSeipd(
    to.map((k) => k.publicKey),
    passwords,
    new Date(),
  );
  expect(own).toBeDefined();
  const worker = startCfbWorker(own!.sessionKey);
  const handle = await open(file, 'wx');
  try {
    // Chunks of their own buffers: big ones move to the encryption thread.
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += PART_BYTES) {
      chunks.push(Uint8Array.from(data.subarray(at, at + PART_BYTES)));
    }
    const sink = createAsyncFileSink(handle.fd);
    await encryptChunksOwnSeipd({
      chunks: chunks[Symbol.iterator](),
      dataBytes: data.length,
      own: own!,
      worker,
      sink,
      filename: 'x.bin',
      date: new Date('2026-03-01T12:00:00Z'),
    });
    // The package is hashed as it is queued for writing: the same bytes as the file.
    const written = await readFile(file);
    expect(sink.size()).toBe(written.length);
    expect(sink.sha256()).toBe(createHash('sha256').update(written).digest('hex'));
    return { sha256: sink.sha256(), size: sink.size(), sessionKeyBytes: own!.sessionKeyPackets.length };
  } finally {
    await handle.close();
    await worker.close();
  }
}

describe('own SEIPDv1 framing against GnuPG 2.2 and openpgp.js', () => {
  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['a 1-octet literal length (191)', 180],
    ['a 2-octet literal length (192)', 181],
    ['literal body 2^20 - 1', literalBoundary - 1],
    ['literal body exactly 2^20 (empty final part)', literalBoundary],
    ['literal body 2^20 + 1', literalBoundary + 1],
    ['SEIPD body 2^20 - 1', seipdBoundary - 1],
    ['SEIPD body exactly 2^20 (empty final part)', seipdBoundary],
    ['SEIPD body 2^20 + 1', seipdBoundary + 1],
    ['literal body exactly 2 × 2^20', 2 * PART_BYTES - 11],
    ['3 MiB and a bit', 3 * PART_BYTES + 12_345],
  ])('%s: GnuPG and openpgp.js decrypt it with a good MDC', async (_, bytes) => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const [recipient, second] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Second')]);
    const data = randomBytes(bytes);
    const file = path.join(tmp.dir, 'm.gpg');
    await encryptOwn(file, data, [recipient, second]);

    await gnupg.importKey(recipient.secretArmored);
    const out = path.join(tmp.dir, 'gpg.out');
    const { stdout } = await gnupg.gpg(['--status-fd', '1', '--output', out, '--decrypt', file]);
    expect(stdout).toContain('[GNUPG:] DECRYPTION_OKAY');
    expect(stdout).toContain('[GNUPG:] GOODMDC');
    expect(stdout).toMatch(/\[GNUPG:\] DECRYPTION_INFO 2 9/); // MDC + AES-256
    expect(stdout).toContain('[GNUPG:] PLAINTEXT 62 1772366400 x.bin');
    expect(Buffer.compare(await readFile(out), data)).toBe(0);

    const plain = path.join(tmp.dir, 'openpgp.out');
    const result = await decryptVerifyToFile({
      packagePath: file,
      decryptionKey: second.secretKey,
      signerKeys: [],
      plaintextPath: plain,
    });
    expect(result.signer).toBeUndefined();
    expect(Buffer.compare(await readFile(plain), data)).toBe(0);
  });

  it('is opened by a passphrase too when one is given (SKESK beside the PKESK)', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const recipient = await makeTestKey('Recipient');
    const data = randomBytes(PART_BYTES + 3);
    const file = path.join(tmp.dir, 'm.gpg');
    await encryptOwn(file, data, [recipient], ['correct horse battery staple']);
    const pass = path.join(tmp.dir, 'pass');
    await writeFile(pass, 'correct horse battery staple');
    const out = path.join(tmp.dir, 'gpg.out');
    await gnupg.gpg([
      '--pinentry-mode',
      'loopback',
      '--passphrase-file',
      pass,
      '--output',
      out,
      '--decrypt',
      file,
    ]);
    expect(Buffer.compare(await readFile(out), data)).toBe(0);
  });

  it.each([
    ['a byte of the first part', (sk: number) => sk + 2 + 1000],
    ['a byte of the final part', (_sk: number, size: number) => size - 30],
    ['the encrypted MDC', (_: number, size: number) => size - 1],
  ])('refuses %s flipped: GnuPG and openpgp.js both fail', async (_, where) => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const recipient = await makeTestKey('Recipient');
    const data = randomBytes(PART_BYTES + 50_000);
    const file = path.join(tmp.dir, 'm.gpg');
    const made = await encryptOwn(file, data, [recipient]);
    const bytes = await readFile(file);
    bytes[where(made.sessionKeyBytes, made.size)]! ^= 0x01;
    await writeFile(file, bytes);
    await gnupg.importKey(recipient.secretArmored);
    await expect(gnupg.gpg(['--output', path.join(tmp.dir, 'gpg.out'), '--decrypt', file])).rejects.toThrow();
    const failure = await decryptVerifyToFile({
      packagePath: file,
      decryptionKey: recipient.secretKey,
      signerKeys: [],
      plaintextPath: path.join(tmp.dir, 'openpgp.out'),
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isEgressError(failure) && failure.code).toBe('INTEGRITY');
  });
});

describe('own SEIPDv1 writing', () => {
  it('rejects with the write error (and leaves no write running) when the file cannot be written', async () => {
    await using tmp = await makeTempDir();
    const recipient = await makeTestKey('Recipient');
    const own = await prepareOwnSeipd([recipient.publicKey], undefined, new Date());
    const worker = startCfbWorker(own!.sessionKey);
    const file = path.join(tmp.dir, 'm.gpg');
    await writeFile(file, '');
    const handle = await open(file, 'r'); // read-only: every write fails with EBADF
    try {
      const data = randomBytes(3 * PART_BYTES + 7);
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < data.length; at += PART_BYTES)
        chunks.push(Uint8Array.from(data.subarray(at, at + PART_BYTES)));
      const failure = await encryptChunksOwnSeipd({
        chunks: chunks[Symbol.iterator](),
        dataBytes: data.length,
        own: own!,
        worker,
        sink: createAsyncFileSink(handle.fd),
        filename: 'x.bin',
        date: new Date('2026-03-01T12:00:00Z'),
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect((failure as NodeJS.ErrnoException).code).toBe('EBADF');
    } finally {
      await handle.close();
      await worker.close();
    }
  });
});
