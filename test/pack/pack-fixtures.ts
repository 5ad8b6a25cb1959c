import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import type { Receipt, ReceiptFile } from '../../action/src/pack/receipt-types.js';

const run = promisify(execFile);

/** A throwaway v4 curve25519 key pair, the kind GnuPG 2.2 reads. */
export interface TestKey {
  name: string;
  fingerprint: string;
  publicArmored: string;
  secretArmored: string;
  publicKey: openpgp.PublicKey;
  secretKey: openpgp.PrivateKey;
}

export async function makeTestKey(name: string, passphrase?: string): Promise<TestKey> {
  const generated = await openpgp.generateKey({
    type: 'ecc',
    userIDs: [{ name, email: `${name.toLowerCase()}@example.org` }],
    format: 'object',
  });
  const secretArmored = passphrase
    ? (await openpgp.encryptKey({ privateKey: generated.privateKey, passphrase })).armor()
    : generated.privateKey.armor();
  return {
    name,
    fingerprint: generated.publicKey.getFingerprint().toUpperCase(),
    publicArmored: generated.publicKey.armor(),
    secretArmored,
    publicKey: generated.publicKey,
    secretKey: generated.privateKey,
  };
}

export interface TempDir extends AsyncDisposable {
  dir: string;
}

export async function makeTempDir(prefix = 'egress-pack-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

/** A GNUPGHOME of its own, so tests never touch the user's keyring. */
export interface GnupgHome extends AsyncDisposable {
  home: string;
  gpg(args: string[], options?: { input?: string }): Promise<{ stdout: string; stderr: string }>;
  importKey(armored: string): Promise<void>;
}

export async function makeGnupgHome(): Promise<GnupgHome> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'egress-gpg-'));
  const gpg = async (args: string[]) => {
    const result = await run(
      'gpg',
      ['--batch', '--no-tty', '--homedir', home, '--trust-model', 'always', ...args],
      {
        maxBuffer: 64 << 20,
      },
    );
    return { stdout: result.stdout, stderr: result.stderr };
  };
  return {
    home,
    gpg,
    async importKey(armored) {
      const file = path.join(home, `import-${Date.now()}-${Math.random()}.asc`);
      await writeFile(file, armored);
      await gpg(['--import', file]);
    },
    async [Symbol.asyncDispose]() {
      await run('gpgconf', ['--homedir', home, '--kill', 'all']).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes `files` under `root` and returns their pins, sorted like a locked manifest. */
export async function writeOutputs(
  root: string,
  files: Record<string, string | Uint8Array>,
): Promise<ReceiptFile[]> {
  const pins: ReceiptFile[] = [];
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    pins.push({ path: relative, sha256: sha256(bytes), size: bytes.length });
  }
  return pins.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

export function buildReceipt(overrides: Partial<Receipt> = {}): Receipt {
  return {
    receiptVersion: 1,
    request: { id: 'req-1', title: 'Report inputs', workPackage: 'wp-1', requester: 'alice' },
    collection: { name: 'report-inputs', kind: 'report', destination: 'local' },
    tier: 1,
    classifications: [
      { role: 'investigator', user: 'bob', tier: 1, reviewId: '1', commit: 'abc1234' },
      { role: 'data-provider-representative', user: 'carol', tier: 1, reviewId: '2', commit: 'abc1234' },
      { role: 'referee', user: 'dan', tier: 1, reviewId: '3', commit: 'abc1234' },
    ],
    files: [],
    excluded: [],
    recipients: [],
    signer: '',
    passphrase: false,
    commit: 'abc1234abc1234abc1234abc1234abc1234abc12',
    merger: 'erin',
    evidence: { source: 'reviews-file', path: 'reviews.yaml' },
    createdAt: '2026-03-01T12:00:00Z',
    ...overrides,
  };
}

export async function runTool(command: string, args: string[], cwd?: string): Promise<string> {
  const result = await run(command, args, { cwd, maxBuffer: 64 << 20 });
  return result.stdout;
}
