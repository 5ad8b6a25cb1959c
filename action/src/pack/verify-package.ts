import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type * as openpgp from 'openpgp';
import tar from 'tar-stream';
import { decryptVerifyToFile } from '../crypto/decrypt-verify.js';
import { describeOpenpgp } from '../crypto/keys.js';
import { verifyDetached } from '../crypto/sign-detached.js';
import { verifyCleartext } from '../crypto/sign-text.js';
import { describeUnsafeItemPath } from '../manifest/item-path.js';
import { EgressError } from '../shared/errors.js';
import {
  FILES_DIR,
  RECEIPT_NAME,
  RECEIPT_SIGNATURE_NAME,
  SUMS_NAME,
  SUMS_SIGNATURE_NAME,
} from './archive.js';
import type { Receipt } from './receipt-types.js';

export interface VerifyPackageOptions {
  packagePath: string;
  /** The recipient's secret key, unlocked. */
  decryptionKey: openpgp.PrivateKey;
  /** The egress signing key's public part. */
  signerKeys: openpgp.PublicKey[];
  outDir: string;
  /**
   * The signed delivery receipt (`<package>.receipt.asc`), whose `package.sha256` authenticates
   * every byte of the package. Default: that file beside the package, when it exists.
   */
  receiptPath?: string;
}

export interface VerifiedPackage {
  signer: string;
  signedAt?: Date;
  /** What vouched for the content: the detached signature over SHA256SUMS (packages since the
   * encrypt-only format), or a one-pass signature on the whole message (older ones, GnuPG's). */
  authenticatedBy: 'SHA256SUMS.asc' | 'one-pass signature';
  /** The signed delivery receipt whose package SHA-256 matched, when one was checked. */
  deliveryReceipt?: string;
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
  const delivery = await checkDeliveryReceipt(options);
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
    // Our encrypt-only packages hold regular files only; GnuPG's `tar cf - dir` adds directories.
    const allowDirectories = verified.signer !== undefined;
    const { files, metadata } = await extractTar(options.packagePath, tarPath, tree, allowDirectories);
    await rm(tarPath);
    const checked = await checkContents(options.packagePath, files, metadata, verified, options.signerKeys);
    const warnings = checked.warnings;
    // Without a delivery receipt the content is still fully vouched for (SHA256SUMS.asc, nothing
    // unlisted); the receipt adds that this very package is the one delivered.
    if (delivery) checkReceiptsAgree(options.packagePath, delivery, checked.receipt);
    const extracted = await moveIntoPlace(tree, options.outDir);
    return {
      signer: checked.signer,
      ...(checked.signedAt ? { signedAt: checked.signedAt } : {}),
      authenticatedBy: checked.authenticatedBy,
      ...(delivery ? { deliveryReceipt: delivery.path } : {}),
      fileCount: files.size,
      extracted,
      ...(checked.receipt ? { receipt: checked.receipt } : {}),
      warnings,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

interface DeliveryReceipt {
  path: string;
  receipt: Receipt;
}

/**
 * The signed delivery receipt carries the package's SHA-256 and size: when they match, every byte
 * of the ciphertext is the one the egress gate delivered. Checked before anything is decrypted.
 */
async function checkDeliveryReceipt(options: VerifyPackageOptions): Promise<DeliveryReceipt | undefined> {
  const receiptPath = options.receiptPath ?? `${options.packagePath}.receipt.asc`;
  let armored: string;
  try {
    armored = await readFile(receiptPath, 'utf8');
  } catch (error) {
    if (options.receiptPath === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT')
      return undefined;
    throw new EgressError(
      'INPUT',
      `${receiptPath}: cannot read the delivery receipt (${describeOpenpgp(error)}).`,
      {
        cause: error,
      },
    );
  }
  const refuse = (why: string) =>
    new EgressError('INTEGRITY', `${options.packagePath}: ${why}; nothing was extracted.`);
  let receipt: Receipt;
  try {
    receipt = JSON.parse(await verifyCleartext(armored, options.signerKeys)) as Receipt;
  } catch (error) {
    const why = error instanceof EgressError ? error.message : 'it is not JSON';
    throw refuse(`the delivery receipt ${receiptPath} is not usable: ${why}`);
  }
  const pinned = receipt.package;
  if (!pinned || typeof pinned.sha256 !== 'string' || !Number.isInteger(pinned.size)) {
    throw refuse(`the delivery receipt ${receiptPath} names no package SHA-256 and size`);
  }
  const actual = await hashWholeFile(options.packagePath);
  if (actual.sha256 !== pinned.sha256.toLowerCase() || actual.size !== pinned.size) {
    throw refuse(
      `its SHA-256 is ${actual.sha256} (${actual.size} bytes), but the signed delivery receipt ${receiptPath} says ${pinned.sha256.toLowerCase()} (${pinned.size} bytes): this is not the package that was delivered`,
    );
  }
  return { path: receiptPath, receipt };
}

async function hashWholeFile(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (error) {
    throw new EgressError('INPUT', `${file}: cannot read the package (${describeOpenpgp(error)}).`, {
      cause: error,
    });
  }
  return { sha256: hash.digest('hex'), size };
}

/** JSON with object keys sorted, so key order does not matter when comparing. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The delivery receipt is the packing receipt plus package and destination: they must agree. */
function checkReceiptsAgree(
  packagePath: string,
  delivery: DeliveryReceipt,
  inside: Receipt | undefined,
): void {
  const { package: _p, destination: _d, ...outer } = delivery.receipt;
  if (!inside || canonicalJson(outer) !== canonicalJson(inside)) {
    throw new EgressError(
      'INTEGRITY',
      `${packagePath}: the delivery receipt ${delivery.path} does not describe this package's RECEIPT.json (request, collection, files); nothing was extracted.`,
    );
  }
}

async function extractTar(
  packagePath: string,
  tarPath: string,
  tree: string,
  allowDirectories: boolean,
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
      if (name === undefined || (type === 'directory' && allowDirectories)) {
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
  return (
    base === SUMS_NAME ||
    base === RECEIPT_NAME ||
    base === SUMS_SIGNATURE_NAME ||
    base === RECEIPT_SIGNATURE_NAME
  );
}

interface CheckedContents {
  receipt?: Receipt;
  warnings: string[];
  signer: string;
  signedAt?: Date;
  authenticatedBy: VerifiedPackage['authenticatedBy'];
}

/**
 * Every member must be vouched for: listed in a SHA256SUMS with the right hash (SHA256SUMS and its
 * signature excepted), and every SHA256SUMS either signed by the egress key (SHA256SUMS.asc) or
 * inside a message with a one-pass signature by it. An encrypt-only message anyone could make for
 * the recipient, so there an unsigned SHA256SUMS, or none, is refused.
 */
async function checkContents(
  packagePath: string,
  files: Map<string, StagedFile>,
  metadata: Map<string, Uint8Array>,
  outer: { signer?: string; signedAt?: Date },
  signerKeys: openpgp.PublicKey[],
): Promise<CheckedContents> {
  const refuse = (why: string) =>
    new EgressError('INTEGRITY', `${packagePath}: ${why}; nothing was extracted.`);
  const warnings: string[] = [];
  const decode = (name: string) => new TextDecoder().decode(metadata.get(name));
  const sumsFiles = [...metadata.keys()].filter((n) => baseName(n) === SUMS_NAME);
  const covered = new Set<string>(sumsFiles);
  let detached: { signer: string; signedAt?: Date } | undefined;
  const checkDetached = async (signed: string, signatureName: string) => {
    try {
      return await verifyDetached(metadata.get(signed)!, decode(signatureName), signerKeys);
    } catch (error) {
      const why = describeOpenpgp(error);
      throw refuse(
        why.startsWith('signed by key ID')
          ? `${signatureName} is ${why}`
          : `${signatureName} is not a valid signature over ${baseName(signed)} by the egress signer (${why})`,
      );
    }
  };
  if (outer.signer === undefined && sumsFiles.length > 1) {
    throw refuse(
      `the package is encrypted only and holds ${sumsFiles.length} ${SUMS_NAME} files; an egress-gate package has one`,
    );
  }
  for (const sumsName of sumsFiles) {
    const dir = sumsName.slice(0, -SUMS_NAME.length);
    const signatureName = `${dir}${SUMS_SIGNATURE_NAME}`;
    if (metadata.has(signatureName)) {
      detached = await checkDetached(sumsName, signatureName);
      covered.add(signatureName);
    } else if (outer.signer === undefined) {
      throw refuse(`${sumsName} is not signed (no ${SUMS_SIGNATURE_NAME}) and neither is the package`);
    }
    const text = decode(sumsName);
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
  if (outer.signer === undefined && sumsFiles.length === 0) {
    throw refuse(
      `the package is not signed and holds no signed ${SUMS_NAME}; expected a signature by the egress key`,
    );
  }
  if (sumsFiles.length > 0 && uncovered.length > 0) {
    throw refuse(`'${uncovered[0]}' is in the archive but in no ${SUMS_NAME}`);
  }
  if (sumsFiles.length === 0) {
    warnings.push(
      `The archive has no ${SUMS_NAME}: only the OpenPGP signature vouches for its ${files.size} file(s).`,
    );
  }
  const signer = (outer.signer ?? detached?.signer)!;
  const signedAt = outer.signer ? outer.signedAt : detached?.signedAt;

  let receipt: Receipt | undefined;
  for (const receiptName of [...metadata.keys()].filter((n) => baseName(n) === RECEIPT_NAME)) {
    const dir = receiptName.slice(0, -RECEIPT_NAME.length);
    if (!sumsFiles.includes(`${dir}${SUMS_NAME}`))
      throw refuse(`'${receiptName}' has no ${SUMS_NAME} beside it`);
    const receiptSignature = `${dir}${RECEIPT_SIGNATURE_NAME}`;
    if (metadata.has(receiptSignature)) await checkDetached(receiptName, receiptSignature);
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
  return {
    ...(receipt ? { receipt } : {}),
    warnings,
    signer,
    ...(signedAt ? { signedAt } : {}),
    authenticatedBy: outer.signer ? 'one-pass signature' : 'SHA256SUMS.asc',
  };
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
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
