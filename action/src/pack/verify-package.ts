import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type * as openpgp from 'openpgp';
import tar from 'tar-stream';
import { decryptVerifyToFile } from '../crypto/decrypt-verify.js';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { EgressError } from '../shared/errors.js';
import { FILES_DIR, RECEIPT_NAME, SUMS_NAME } from './archive.js';
import type { Receipt } from './receipt-types.js';

export interface VerifyPackageOptions {
  packagePath: string;
  /** The recipient's secret key, unlocked. */
  decryptionKey: openpgp.PrivateKey;
  /** The egress signing key's public part. */
  signerKeys: openpgp.PublicKey[];
  outDir: string;
}

export interface VerifiedPackage {
  signer: string;
  signedAt?: Date;
  /** Regular files extracted, SHA256SUMS and RECEIPT.json included. */
  fileCount: number;
  /** Top-level names now in outDir. */
  extracted: string[];
  receipt?: Receipt;
  /** Things a recipient should know that did not stop the check. */
  warnings: string[];
}

interface StagedFile {
  sha256: string;
  size: number;
}

const MAX_METADATA_BYTES = 64 << 20;

/**
 * The recipient's side: decrypt and check the signature (plaintext aside, bounded memory), then
 * read the archive into a staging directory while hashing every file, check SHA256SUMS and the
 * receipt, and only when everything agrees move the result into `outDir`. Any failure leaves
 * `outDir` as it was. Also accepts `tar cf - … | gpg --sign --encrypt` packages.
 */
export async function verifyPackage(options: VerifyPackageOptions): Promise<VerifiedPackage> {
  await mkdir(options.outDir, { recursive: true });
  const staging = await mkdtemp(path.join(options.outDir, '.egress-verify-'));
  try {
    const tarPath = path.join(staging, 'package.tar');
    const verified = await decryptVerifyToFile({
      packagePath: options.packagePath,
      decryptionKey: options.decryptionKey,
      signerKeys: options.signerKeys,
      plaintextPath: tarPath,
    });
    const tree = path.join(staging, 'tree');
    await mkdir(tree);
    const { files, metadata } = await extractTar(options.packagePath, tarPath, tree);
    await rm(tarPath);
    const { receipt, warnings } = checkContents(options.packagePath, files, metadata, verified.signer);
    const extracted = await moveIntoPlace(tree, options.outDir);
    return {
      signer: verified.signer,
      ...(verified.signedAt ? { signedAt: verified.signedAt } : {}),
      fileCount: files.size,
      extracted,
      ...(receipt ? { receipt } : {}),
      warnings,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function extractTar(
  packagePath: string,
  tarPath: string,
  tree: string,
): Promise<{ files: Map<string, StagedFile>; metadata: Map<string, Uint8Array> }> {
  const files = new Map<string, StagedFile>();
  const metadata = new Map<string, Uint8Array>();
  const refuse = (why: string) =>
    new EgressError('INTEGRITY', `${packagePath}: ${why}; nothing was extracted.`);
  const extract = tar.extract();
  createReadStream(tarPath, { highWaterMark: 1 << 20 })
    .on('error', (error) => extract.destroy(error))
    .pipe(extract);
  try {
    for await (const entry of extract) {
      const name = normalizeEntryName(entry.header.name);
      const type = entry.header.type;
      if (name === null) throw refuse(`the archive holds an unsafe path '${entry.header.name}'`);
      if (name === undefined || type === 'directory') {
        entry.resume();
        continue;
      }
      if (type !== 'file' && type !== 'contiguous-file') {
        throw refuse(
          `the archive holds a ${type} entry '${entry.header.name}'; only regular files are accepted`,
        );
      }
      if (files.has(name)) throw refuse(`the archive holds '${name}' twice`);
      const target = path.join(tree, name);
      await mkdir(path.dirname(target), { recursive: true });
      const fd = openSync(target, 'wx', 0o644);
      const hash = createHash('sha256');
      const keep = isMetadata(name) ? ([] as Buffer[]) : undefined;
      let size = 0;
      try {
        for await (const chunk of entry as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
          writeSync(fd, chunk);
          if (keep) {
            if (size > MAX_METADATA_BYTES)
              throw refuse(`'${name}' is larger than ${MAX_METADATA_BYTES} bytes`);
            keep.push(chunk);
          }
        }
      } finally {
        closeSync(fd);
      }
      files.set(name, { sha256: hash.digest('hex'), size });
      if (keep) metadata.set(name, Buffer.concat(keep));
    }
  } catch (error) {
    if (error instanceof EgressError) throw error;
    throw refuse(`the archive inside is not a readable tar file (${(error as Error).message})`);
  }
  return { files, metadata };
}

/** `./a/b` → `a/b`; `./` → undefined (skip); anything escaping or absolute → null (refuse). */
function normalizeEntryName(raw: string): string | undefined | null {
  let name = raw;
  while (name.startsWith('./')) name = name.slice(2);
  name = name.replace(/\/+$/, '');
  if (name === '' || name === '.') return undefined;
  return describeUnsafeItemPath(name) === undefined ? name : null;
}

function isMetadata(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return base === SUMS_NAME || base === RECEIPT_NAME;
}

function checkContents(
  packagePath: string,
  files: Map<string, StagedFile>,
  metadata: Map<string, Uint8Array>,
  signer: string,
): { receipt?: Receipt; warnings: string[] } {
  const refuse = (why: string) =>
    new EgressError('INTEGRITY', `${packagePath}: ${why}; nothing was extracted.`);
  const warnings: string[] = [];
  const sumsFiles = [...metadata.keys()].filter((n) => n.endsWith(SUMS_NAME) && isMetadata(n));
  const covered = new Set<string>(sumsFiles);
  for (const sumsName of sumsFiles) {
    const dir = sumsName.slice(0, -SUMS_NAME.length);
    const text = new TextDecoder().decode(metadata.get(sumsName));
    text.split('\n').forEach((line, index) => {
      if (line.trim() === '') return;
      const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
      if (!match) throw refuse(`${sumsName}:${index + 1}: not a 'sha256sum' line: '${line.slice(0, 80)}'`);
      const listed = normalizeEntryName(match[2]!);
      if (!listed) throw refuse(`${sumsName}:${index + 1}: unsafe path '${match[2]}'`);
      const name = `${dir}${listed}`;
      const staged = files.get(name);
      if (!staged) throw refuse(`${sumsName} lists '${listed}', which is not in the archive`);
      if (staged.sha256 !== match[1]!.toLowerCase()) {
        throw refuse(
          `'${name}' has SHA-256 ${staged.sha256} but ${sumsName} says ${match[1]!.toLowerCase()} (the file was swapped or altered)`,
        );
      }
      covered.add(name);
    });
  }
  const uncovered = [...files.keys()].filter((n) => !covered.has(n));
  if (sumsFiles.length > 0 && uncovered.length > 0) {
    throw refuse(`'${uncovered[0]}' is in the archive but in no ${SUMS_NAME}`);
  }
  if (sumsFiles.length === 0) {
    warnings.push(
      `The archive has no ${SUMS_NAME}: only the OpenPGP signature vouches for its ${files.size} file(s).`,
    );
  }

  let receipt: Receipt | undefined;
  for (const receiptName of [...metadata.keys()].filter((n) => n.endsWith(RECEIPT_NAME) && isMetadata(n))) {
    const dir = receiptName.slice(0, -RECEIPT_NAME.length);
    if (!sumsFiles.includes(`${dir}${SUMS_NAME}`))
      throw refuse(`'${receiptName}' has no ${SUMS_NAME} beside it`);
    receipt = parseReceipt(receiptName, metadata.get(receiptName)!, refuse);
    const listed = new Set<string>();
    for (const file of receipt.files) {
      const name = `${dir}${FILES_DIR}/${file.path}`;
      const staged = files.get(name);
      if (!staged) throw refuse(`${receiptName} lists '${file.path}', which is not in the archive`);
      if (staged.sha256 !== file.sha256.toLowerCase() || staged.size !== file.size) {
        throw refuse(
          `'${name}' does not match ${receiptName} (SHA-256 ${staged.sha256}, ${staged.size} bytes)`,
        );
      }
      listed.add(name);
    }
    const extra = [...files.keys()].find((n) => n.startsWith(`${dir}${FILES_DIR}/`) && !listed.has(n));
    if (extra) throw refuse(`'${extra}' is in the archive but not in ${receiptName}`);
    if (receipt.signer && receipt.signer.toUpperCase() !== signer) {
      throw refuse(`${receiptName} names signer ${receipt.signer}, but the package was signed by ${signer}`);
    }
  }
  return { ...(receipt ? { receipt } : {}), warnings };
}

function parseReceipt(name: string, bytes: Uint8Array, refuse: (why: string) => EgressError): Receipt {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw refuse(`'${name}' is not JSON`);
  }
  const receipt = value as Receipt;
  if (
    typeof value !== 'object' ||
    value === null ||
    receipt.receiptVersion !== 1 ||
    !Array.isArray(receipt.files) ||
    !receipt.files.every(
      (f) => typeof f?.path === 'string' && typeof f.sha256 === 'string' && Number.isInteger(f.size),
    )
  ) {
    throw refuse(`'${name}' is not an egress-gate receipt (receiptVersion 1 with a files list)`);
  }
  return receipt;
}

/** Refuse before moving anything if a name is taken, so a failure leaves outDir untouched. */
async function moveIntoPlace(tree: string, outDir: string): Promise<string[]> {
  const names = (await readdir(tree)).sort();
  for (const name of names) {
    const taken = await lstat(path.join(outDir, name)).then(
      () => true,
      () => false,
    );
    if (taken) {
      throw new EgressError(
        'INPUT',
        `'${path.join(outDir, name)}' already exists; choose an empty --out directory.`,
      );
    }
  }
  for (const name of names) await rename(path.join(tree, name), path.join(outDir, name));
  return names;
}
