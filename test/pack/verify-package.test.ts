import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { encryptStream } from '../../action/src/crypto/encrypt.js';
import { createArchiveStream, planArchive } from '../../action/src/pack/archive.js';
import { packCollection } from '../../action/src/pack/package-collection.js';
import { verifyPackage } from '../../action/src/pack/verify-package.js';
import { isEgressError } from '../../action/src/shared/errors.js';
import {
  buildReceipt,
  makeGnupgHome,
  makeTempDir,
  makeTestKey,
  runTool,
  type TestKey,
  writeOutputs,
} from './pack-fixtures.js';

const run = promisify(execFile);
const outputs = {
  'report/summary.csv': 'region,count\nnorth,120\nsouth,98\n',
  'report/figures/fig1.png': Buffer.alloc(2 * 1024 * 1024 + 5, 3),
  'code/analysis.py': 'print("hello")\n',
};

async function setUp(dir: string) {
  const [recipient, signer, stranger] = await Promise.all([
    makeTestKey('Recipient'),
    makeTestKey('Egress'),
    makeTestKey('Stranger'),
  ]);
  const root = path.join(dir, 'outputs');
  const files = await writeOutputs(root, outputs);
  const receipt = buildReceipt({ files, recipients: [recipient.fingerprint], signer: signer.fingerprint });
  const pack = (options: { to?: TestKey; by?: TestKey; outDir?: string } = {}) =>
    packCollection({
      receipt: { ...receipt, signer: (options.by ?? signer).fingerprint },
      outputsRoot: root,
      outDir: options.outDir ?? path.join(dir, 'packages'),
      encryptionKeys: [(options.to ?? recipient).publicKey],
      signingKey: (options.by ?? signer).secretKey,
    });
  return { recipient, signer, stranger, root, files, receipt, pack };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isEgressError(error) && error.code).toBe('INTEGRITY');
  return (error as Error).message;
}

describe('verifyPackage', () => {
  it('decrypts, checks the signature and every hash, then extracts', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack();
    const outDir = path.join(tmp.dir, 'received');
    const result = await verifyPackage({
      packagePath: packed.path,
      decryptionKey: s.recipient.secretKey,
      signerKeys: [s.signer.publicKey],
      outDir,
    });
    expect(result.signer).toBe(s.signer.fingerprint);
    expect(result.extracted).toEqual(['req-1-report-inputs']);
    expect(result.fileCount).toBe(Object.keys(outputs).length + 4);
    expect(result.authenticatedBy).toBe('SHA256SUMS.asc');
    expect(result.receipt?.files).toEqual(s.files);
    expect(result.warnings).toEqual([]);
    expect(await readdir(outDir)).toEqual(['req-1-report-inputs']);
    const extracted = path.join(outDir, 'req-1-report-inputs');
    expect(await readFile(path.join(extracted, 'files/report/summary.csv'), 'utf8')).toBe(
      outputs['report/summary.csv'],
    );
    expect(await runTool('sha256sum', ['-c', 'SHA256SUMS'], extracted)).toContain(
      'files/code/analysis.py: OK',
    );
  });

  it('refuses a package with one flipped byte, and extracts nothing', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack();
    const bytes = await readFile(packed.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(packed.path, bytes);
    const outDir = path.join(tmp.dir, 'received');
    const message = await refusal(
      verifyPackage({
        packagePath: packed.path,
        decryptionKey: s.recipient.secretKey,
        signerKeys: [s.signer.publicKey],
        outDir,
      }),
    );
    expect(message).toMatch(/damaged or was altered|does not verify/);
    expect(message).toContain('nothing was extracted');
    expect(await readdir(outDir)).toEqual([]);
  });

  it('refuses a package signed by another key', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack({ by: s.stranger });
    const outDir = path.join(tmp.dir, 'received');
    const message = await refusal(
      verifyPackage({
        packagePath: packed.path,
        decryptionKey: s.recipient.secretKey,
        signerKeys: [s.signer.publicKey],
        outDir,
      }),
    );
    expect(message).toContain(`which is not the egress signer ${s.signer.fingerprint}`);
    expect(await readdir(outDir)).toEqual([]);
  });

  it('refuses a package for another recipient', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack({ to: s.stranger });
    const outDir = path.join(tmp.dir, 'received');
    const message = await refusal(
      verifyPackage({
        packagePath: packed.path,
        decryptionKey: s.recipient.secretKey,
        signerKeys: [s.signer.publicKey],
        outDir,
      }),
    );
    expect(message).toContain(`not encrypted to your key ${s.recipient.fingerprint}`);
    expect(await readdir(outDir)).toEqual([]);
  });

  it('refuses a properly signed package whose archive holds a swapped file', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    // The signer's own archive, with one file's bytes replaced in place (same size).
    const plan = planArchive({ root: 'req-1-report-inputs', outputsRoot: s.root, receipt: s.receipt });
    const parts: Uint8Array[] = [];
    for await (const chunk of createArchiveStream(plan) as unknown as AsyncIterable<Uint8Array>)
      parts.push(chunk);
    const tarBytes = Buffer.concat(parts);
    const original = Buffer.from(outputs['report/summary.csv']);
    const at = tarBytes.indexOf(original);
    Buffer.from('region,count\nnorth,120\nsouth,99\n').copy(tarBytes, at);
    const encrypted = await encryptStream({
      plaintext: new Blob([tarBytes]).stream(),
      encryptionKeys: [s.recipient.publicKey],
      signingKey: s.signer.secretKey,
      filename: 'p.tar',
      date: new Date(),
    });
    const packagePath = path.join(tmp.dir, 'swapped.tar.gpg');
    await writeFile(packagePath, Buffer.from(await new Response(encrypted).arrayBuffer()));
    const outDir = path.join(tmp.dir, 'received');
    const message = await refusal(
      verifyPackage({
        packagePath,
        decryptionKey: s.recipient.secretKey,
        signerKeys: [s.signer.publicKey],
        outDir,
      }),
    );
    expect(message).toMatch(
      /'req-1-report-inputs\/files\/report\/summary.csv' has SHA-256 [0-9a-f]{64} but .*SHA256SUMS says/,
    );
    expect(message).toContain('swapped or altered');
    expect(await readdir(outDir)).toEqual([]);
  });

  it('does not overwrite what is already in the output directory', async () => {
    await using tmp = await makeTempDir();
    const s = await setUp(tmp.dir);
    const packed = await s.pack();
    const outDir = path.join(tmp.dir, 'received');
    await mkdir(path.join(outDir, 'req-1-report-inputs'), { recursive: true });
    await expect(
      verifyPackage({
        packagePath: packed.path,
        decryptionKey: s.recipient.secretKey,
        signerKeys: [s.signer.publicKey],
        outDir,
      }),
    ).rejects.toThrow(/already exists; choose an empty --out directory/);
    expect(await readdir(outDir)).toEqual(['req-1-report-inputs']);
    expect(await readdir(path.join(outDir, 'req-1-report-inputs'))).toEqual([]);
  });
});

describe('verifyPackage refuses unsafe archives', () => {
  it.each([
    {
      name: 'an entry escaping the output directory',
      entry: { name: '../escaped.txt' },
      says: "unsafe path '../escaped.txt'",
    },
    {
      name: 'an absolute entry',
      entry: { name: '/tmp/absolute.txt' },
      says: "unsafe path '/tmp/absolute.txt'",
    },
    {
      name: 'a symlink',
      entry: { name: 'link', type: 'symlink' as const, linkname: '/etc/passwd' },
      says: "symlink entry 'link'",
    },
  ])('refuses $name and extracts nothing', async ({ entry, says }) => {
    await using tmp = await makeTempDir();
    const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
    const packer = tar.pack();
    packer.entry({ name: 'ok.txt' }, 'fine\n');
    if (entry.type === 'symlink') packer.entry(entry);
    else packer.entry(entry, 'bad\n');
    packer.finalize();
    const parts: Buffer[] = [];
    for await (const chunk of packer) parts.push(chunk as Buffer);
    const encrypted = await encryptStream({
      plaintext: new Blob([Buffer.concat(parts)]).stream(),
      encryptionKeys: [recipient.publicKey],
      signingKey: signer.secretKey,
      filename: 'p.tar',
      date: new Date(),
    });
    const packagePath = path.join(tmp.dir, 'unsafe.tar.gpg');
    await writeFile(packagePath, Buffer.from(await new Response(encrypted).arrayBuffer()));
    const outDir = path.join(tmp.dir, 'received', 'deeper');
    const message = await refusal(
      verifyPackage({
        packagePath,
        decryptionKey: recipient.secretKey,
        signerKeys: [signer.publicKey],
        outDir,
      }),
    );
    expect(message).toContain(says);
    expect(await readdir(outDir)).toEqual([]);
    expect(await readdir(path.join(tmp.dir, 'received'))).toEqual(['deeper']);
  });
});

describe('verifyPackage with packages made by GnuPG', () => {
  async function gpgPackage(dir: string, withSums: boolean, signedBy: 'signer' | 'stranger') {
    const [recipient, signer, stranger] = await Promise.all([
      makeTestKey('Recipient'),
      makeTestKey('Egress'),
      makeTestKey('Stranger'),
    ]);
    await using gnupg = await makeGnupgHome();
    const by = signedBy === 'signer' ? signer : stranger;
    await gnupg.importKey(by.secretArmored);
    await gnupg.importKey(recipient.publicArmored);
    const source = path.join(dir, 'handover');
    await writeOutputs(source, { 'data/a.csv': 'x,y\n1,2\n', 'notes.txt': 'hello\n' });
    if (withSums) await run('bash', ['-c', 'sha256sum data/a.csv notes.txt > SHA256SUMS'], { cwd: source });
    const packagePath = path.join(dir, 'handover.tar.gpg');
    await run('bash', [
      '-o',
      'pipefail',
      '-c',
      `tar cf - -C '${source}' . | gpg --batch --homedir '${gnupg.home}' --trust-model always ` +
        `--sign --local-user ${by.fingerprint} --encrypt --recipient ${recipient.fingerprint} -o '${packagePath}'`,
    ]);
    return { recipient, signer, packagePath };
  }

  it.each([
    { withSums: true, warnings: 0 },
    { withSums: false, warnings: 1 },
  ])('accepts `tar | gpg --sign --encrypt` (SHA256SUMS: $withSums)', async ({ withSums, warnings }) => {
    await using tmp = await makeTempDir();
    const made = await gpgPackage(tmp.dir, withSums, 'signer');
    const outDir = path.join(tmp.dir, 'received');
    const result = await verifyPackage({
      packagePath: made.packagePath,
      decryptionKey: made.recipient.secretKey,
      signerKeys: [made.signer.publicKey],
      outDir,
    });
    expect(result.signer).toBe(made.signer.fingerprint);
    expect(result.warnings).toHaveLength(warnings);
    expect(await readFile(path.join(outDir, 'data/a.csv'), 'utf8')).toBe('x,y\n1,2\n');
  });

  it('refuses a GnuPG package signed by someone else', async () => {
    await using tmp = await makeTempDir();
    const made = await gpgPackage(tmp.dir, true, 'stranger');
    const outDir = path.join(tmp.dir, 'received');
    const message = await refusal(
      verifyPackage({
        packagePath: made.packagePath,
        decryptionKey: made.recipient.secretKey,
        signerKeys: [made.signer.publicKey],
        outDir,
      }),
    );
    expect(message).toContain('not the egress signer');
    expect(await readdir(outDir)).toEqual([]);
  });
});
