import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { signCleartext } from '../../action/src/crypto/sign-text.js';
import { packCollection } from '../../action/src/pack/package-collection.js';
import { buildReceipt, makeGnupgHome, makeTempDir, makeTestKey, writeOutputs } from './pack-fixtures.js';

const run = promisify(execFile);

/** The shell block of the README's recipient guide, exactly as written there. */
async function readmeGuide(): Promise<string> {
  const readme = await readFile(path.join(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.indexOf('### Opening a package with only GnuPG and coreutils');
  expect(section).toBeGreaterThan(0);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(section));
  expect(match).not.toBeNull();
  return match![1]!;
}

describe("the README's recipient guide (gpg, tar, sha256sum only)", () => {
  it('opens a delivered package and checks every hash and signature, as written', async () => {
    await using tmp = await makeTempDir();
    await using gnupg = await makeGnupgHome();
    const [recipient, signer] = await Promise.all([makeTestKey('Recipient'), makeTestKey('Egress')]);
    const root = path.join(tmp.dir, 'outputs');
    const files = await writeOutputs(root, {
      'report/summary.csv': 'region,count\nnorth,120\n',
      'report/figures/fig1.png': Buffer.alloc(1.5 * 1024 * 1024, 5),
    });
    const receipt = buildReceipt({
      request: {
        id: 'dsg-2026-03-final-outputs',
        title: 'Final outputs',
        workPackage: 'dsg-2026-03',
        requester: 'erin',
      },
      collection: { name: 'report-inputs', kind: 'report', destination: 'disk' },
      files,
      recipients: [recipient.fingerprint],
      signer: signer.fingerprint,
    });
    const packed = await packCollection({
      receipt,
      outputsRoot: root,
      outDir: path.join(tmp.dir, 'packages'),
      encryptionKeys: [recipient.publicKey],
      signingKey: signer.secretKey,
    });
    // What a delivery puts beside the package (app/deliver-request.ts): the receipt plus the
    // package's hash and size, cleartext-signed.
    const delivered = {
      ...receipt,
      package: { file: packed.file, sha256: packed.sha256, size: packed.size },
    };
    const received = path.join(tmp.dir, 'received');
    await mkdir(received);
    await copyFile(packed.path, path.join(received, packed.file));
    await writeFile(
      path.join(received, `${packed.file}.receipt.asc`),
      await signCleartext(`${JSON.stringify(delivered, null, 2)}\n`, signer.secretKey),
    );
    await gnupg.importKey(recipient.secretArmored);
    await gnupg.importKey(signer.publicArmored);

    const guide = await readmeGuide();
    const { stdout, stderr } = await run('bash', ['-e', '-o', 'pipefail', '-c', guide], {
      cwd: received,
      env: { PATH: process.env.PATH, GNUPGHOME: gnupg.home, LC_ALL: 'C' },
    });
    // The two gpg --verify steps: good signatures by the egress key.
    expect(stderr.match(/gpg: Good signature from "Egress/g)).toHaveLength(2);
    expect(stderr).toContain(signer.fingerprint);
    // The sha256sum step prints what the receipt says.
    expect(stdout).toContain(`${packed.sha256}  ${packed.file}`);
    const checks = stdout.split('\n').filter((line) => line.endsWith(': OK'));
    expect(checks).toEqual([
      'RECEIPT.json: OK',
      'RECEIPT.json.asc: OK',
      'files/report/figures/fig1.png: OK',
      'files/report/summary.csv: OK',
    ]);
    expect(stdout).not.toMatch(/FAILED/);
  });
});
