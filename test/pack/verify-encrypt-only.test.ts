import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encryptStream } from '../../action/src/crypto/encrypt.js';
import { signDetached } from '../../action/src/crypto/sign-detached.js';
import { signCleartext } from '../../action/src/crypto/sign-text.js';
import { createArchiveStream, planArchive, planSignedArchive } from '../../action/src/pack/archive.js';
import { packCollection } from '../../action/src/pack/package-collection.js';
import type { Receipt } from '../../action/src/pack/receipt-types.js';
import { encodeFileHeader } from '../../action/src/pack/tar-header.js';
import { verifyPackage } from '../../action/src/pack/verify-package.js';
import { isEgressError } from '../../action/src/shared/errors.js';
import { buildReceipt, makeTempDir, makeTestKey, writeOutputs } from './pack-fixtures.js';

const outputs = { 'report/summary.csv': 'region,count\nnorth,120\n', 'code/analysis.py': 'print("hello")\n' };

async function setUp(dir: string) {
  const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
  const root = path.join(dir, 'outputs');
  const files = await writeOutputs(root, outputs);
  const receipt = buildReceipt({ files, recipients: [recipient.fingerprint], signer: signer.fingerprint });
  const verify = (packagePath: string, receiptPath?: string) =>
    verifyPackage({
      packagePath,
      decryptionKey: recipient.secretKey,
      signerKeys: [signer.publicKey],
      outDir: path.join(dir, 'received'),
      ...(receiptPath ? { receiptPath } : {}),
    });
  /** The genuine archive's bytes, as the egress gate would put them in a package. */
  const genuineTar = async (signed = true) => {
    const plan = signed
      ? await planSignedArchive({
          root: 'req-1-report-inputs',
          outputsRoot: root,
          receipt,
          signDetached: (bytes) => signDetached(bytes, signer.secretKey, new Date(receipt.createdAt)),
        })
      : planArchive({ root: 'req-1-report-inputs', outputsRoot: root, receipt });
    return Buffer.from(await new Response(createArchiveStream(plan)).arrayBuffer());
  };
  /** What anyone holding the recipient's public key can make: an encrypt-only message. */
  const forge = async (tarBytes: Buffer, signingKey?: typeof signer.secretKey) => {
    const encrypted = await encryptStream({
      plaintext: new Blob([new Uint8Array(tarBytes)]).stream(),
      encryptionKeys: [recipient.publicKey],
      ...(signingKey ? { signingKey } : {}),
      filename: 'p.tar',
      date: new Date(),
    });
    const file = path.join(dir, `forged-${Math.random().toString(36).slice(2)}.tar.gpg`);
    await writeFile(file, Buffer.from(await new Response(encrypted).arrayBuffer()));
    return file;
  };
  const pack = (outDir: string) =>
    packCollection({
      receipt,
      outputsRoot: root,
      outDir,
      encryptionKeys: [recipient.publicKey],
      signingKey: signer.secretKey,
    });
  return { recipient, signer, receipt, verify, genuineTar, forge, pack };
}

/** A tar entry: GNU/ustar header with the given type and link name, then the padded body. */
function tarEntry(name: string, body: string, type = '0', linkname = ''): Buffer {
  const content = Buffer.from(body);
  const header = Buffer.from(encodeFileHeader({ path: name, size: content.length, mtime: 0 }));
  header[156] = type.charCodeAt(0);
  header.write(linkname, 157, 'ascii');
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding]);
}

/** The genuine archive with entries added before its end blocks. */
function withExtra(tarBytes: Buffer, ...entries: Buffer[]): Buffer {
  return Buffer.concat([tarBytes.subarray(0, tarBytes.length - 1024), ...entries, Buffer.alloc(1024)]);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isEgressError(error) && error.code).toBe('INTEGRITY');
  return (error as Error).message;
}

describe('verify: an encrypt-only package is vouched for by SHA256SUMS.asc', () => {
  it('accepts the genuine archive, re-encrypted by anyone, and says what vouched for it', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const result = await s.verify(await s.forge(await s.genuineTar()));
    expect(result.authenticatedBy).toBe('SHA256SUMS.asc');
    expect(result.signer).toBe(s.signer.fingerprint);
    expect(result.receipt).toEqual(s.receipt);
  });

  it.each([
    [
      'an extra file under files/',
      tarEntry('req-1-report-inputs/files/extra.txt', 'smuggled\n'),
      "'req-1-report-inputs/files/extra.txt' is in the archive but in no SHA256SUMS",
    ],
    [
      'an extra file beside RECEIPT.json',
      tarEntry('req-1-report-inputs/NOTES.txt', 'smuggled\n'),
      "'req-1-report-inputs/NOTES.txt' is in the archive but in no SHA256SUMS",
    ],
    [
      'a symlink member',
      tarEntry('req-1-report-inputs/files/link', '', '2', '/etc/passwd'),
      "symlink entry 'req-1-report-inputs/files/link'",
    ],
    [
      'a directory member',
      tarEntry('req-1-report-inputs/files/more/', '', '5'),
      "directory entry 'req-1-report-inputs/files/more/'",
    ],
    ['a second, unsigned SHA256SUMS', tarEntry('other/SHA256SUMS', ''), 'holds 2 SHA256SUMS files'],
  ])('refuses %s and extracts nothing', async (_, extra, says) => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const message = await refusal(s.verify(await s.forge(withExtra(await s.genuineTar(), extra))));
    expect(message).toContain(says);
    expect(message).toContain('nothing was extracted');
    expect(await readdir(path.join(tmp.dir, 'received'))).toEqual([]);
  });

  it('refuses an encrypt-only package whose SHA256SUMS is not signed (the layout before SHA256SUMS.asc)', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const message = await refusal(s.verify(await s.forge(await s.genuineTar(false))));
    expect(message).toContain('SHA256SUMS is not signed (no SHA256SUMS.asc) and neither is the package');
  });

  it('keeps accepting old packages: the unsigned layout inside a one-pass-signed message', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const result = await s.verify(await s.forge(await s.genuineTar(false), s.signer.secretKey));
    expect(result.authenticatedBy).toBe('one-pass signature');
    expect(result.receipt).toEqual(s.receipt);
  });
});

describe('verify: the signed delivery receipt pins the package bytes', () => {
  async function deliveryReceipt(
    s: Awaited<ReturnType<typeof setUp>>,
    pinned: { sha256: string; size: number },
  ) {
    const receipt: Receipt = {
      ...s.receipt,
      package: { file: 'req-1-report-inputs.tar.gpg', ...pinned },
      destination: { name: 'disk', kind: 'physical', location: 'disk:req-1/req-1-report-inputs.tar.gpg' },
    };
    return signCleartext(`${JSON.stringify(receipt, null, 2)}\n`, s.signer.secretKey);
  }

  it('finds <package>.receipt.asc beside the package and checks the hash before decrypting', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack(path.join(tmp.dir, 'out'));
    await writeFile(`${packed.path}.receipt.asc`, await deliveryReceipt(s, packed));
    const result = await s.verify(packed.path);
    expect(result.deliveryReceipt).toBe(`${packed.path}.receipt.asc`);
  });

  it('refuses a package whose SHA-256 differs from its signed receipt (same contents, encrypted again)', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const first = await s.pack(path.join(tmp.dir, 'first'));
    const second = await s.pack(path.join(tmp.dir, 'second'));
    expect(second.sha256).not.toBe(first.sha256); // a fresh session key each time
    const receiptPath = path.join(tmp.dir, 'first.receipt.asc');
    await writeFile(receiptPath, await deliveryReceipt(s, first));
    const message = await refusal(s.verify(second.path, receiptPath));
    expect(message).toContain(`its SHA-256 is ${second.sha256}`);
    expect(message).toContain(`says ${first.sha256}`);
    expect(message).toContain('this is not the package that was delivered');
    expect(await readdir(tmp.dir)).not.toContain('received');
  });

  it('refuses a receipt not signed by the egress key', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack(path.join(tmp.dir, 'out'));
    const stranger = await makeTestKey('Stranger');
    const forged = await signCleartext(
      `${JSON.stringify({ ...s.receipt, package: { file: packed.file, sha256: packed.sha256, size: packed.size } })}\n`,
      stranger.secretKey,
    );
    await writeFile(`${packed.path}.receipt.asc`, forged);
    const message = await refusal(s.verify(packed.path));
    expect(message).toContain("the receipt's signature does not verify");
  });
});
