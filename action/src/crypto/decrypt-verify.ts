import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { EgressError } from '../shared/errors.js';
import { describeOpenpgp, formatFingerprint } from './keys.js';

export interface DecryptVerifyOptions {
  /** The encrypted package (binary or armored OpenPGP message). */
  packagePath: string;
  /** The recipient's secret key, already unlocked. */
  decryptionKey: openpgp.PrivateKey;
  /** Public key(s) of the egress signer; a signature by anyone else is refused. */
  signerKeys: openpgp.PublicKey[];
  /** Where the plaintext goes; created 0600, removed again if any check fails. */
  plaintextPath: string;
}

export interface DecryptVerifyResult {
  /** Fingerprint of the signer key that made a valid one-pass signature; undefined when the
   * message is encrypted only (the caller must then authenticate the content another way). */
  signer?: string;
  signedAt?: Date;
  plaintextBytes: number;
}

/**
 * Decrypt and check the signature, if the message is signed, with bounded memory. openpgp buffers the whole plaintext of a
 * SEIPDv1 message to check its MDC first (3.17 GB RSS for 1 GiB); with allowUnauthenticatedStream
 * it streams instead, so the plaintext goes to a file aside and is deleted unless the integrity
 * check and the signature both pass at the end. Nothing downstream reads it before then.
 */
export async function decryptVerifyToFile(options: DecryptVerifyOptions): Promise<DecryptVerifyResult> {
  const { packagePath, plaintextPath } = options;
  const config = { allowUnauthenticatedStream: true };
  const message = await readPackageMessage(packagePath);
  const forKeys = message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase());
  const ours = options.decryptionKey.getKeyIDs().map((id) => id.toHex().toUpperCase());
  if (forKeys.length > 0 && !forKeys.some((id) => ours.includes(id) || /^0+$/.test(id))) {
    throw new EgressError(
      'INTEGRITY',
      `${packagePath}: this package is not encrypted to your key ${formatFingerprint(options.decryptionKey)}; ` +
        `it is for key ID(s) ${forKeys.join(', ')}, yours are ${ours.join(', ')}. Ask the sender to encrypt it to your public key.`,
    );
  }
  let result: Awaited<ReturnType<typeof openpgp.decrypt<ReadableStream<Uint8Array>>>>;
  try {
    result = await openpgp.decrypt({
      message,
      decryptionKeys: options.decryptionKey,
      verificationKeys: options.signerKeys,
      format: 'binary',
      config,
    });
  } catch (error) {
    throw new EgressError(
      'INTEGRITY',
      `${packagePath}: cannot decrypt the package with key ${formatFingerprint(options.decryptionKey)}: ${describeOpenpgp(error)}.`,
      { cause: error },
    );
  }
  // These settle only once the data is read; a failure there must not become an unhandled rejection.
  for (const signature of result.signatures) {
    signature.verified.catch(() => undefined);
    signature.signature.catch(() => undefined);
  }
  let bytes = 0;
  const file = await open(plaintextPath, 'wx', 0o600);
  try {
    try {
      for await (const chunk of result.data as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        await file.write(chunk);
      }
    } catch (error) {
      throw new EgressError(
        'INTEGRITY',
        `${packagePath}: the package is damaged or was altered (${describeOpenpgp(error)}); nothing was extracted.`,
        { cause: error },
      );
    } finally {
      await file.close();
    }
    const verified = await checkSignatures(packagePath, result.signatures, options.signerKeys);
    return { ...verified, plaintextBytes: bytes };
  } catch (error) {
    await rm(plaintextPath, { force: true });
    throw error;
  }
}

async function readPackageMessage(packagePath: string): Promise<openpgp.Message<ReadableStream<Uint8Array>>> {
  const head = await readHead(packagePath);
  const armored = new TextDecoder().decode(head).includes('-----BEGIN PGP MESSAGE');
  const source = () =>
    Readable.toWeb(createReadStream(packagePath, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
  try {
    if (armored) {
      const text = source().pipeThrough(
        new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
      );
      return (await openpgp.readMessage({ armoredMessage: text })) as unknown as openpgp.Message<
        ReadableStream<Uint8Array>
      >;
    }
    return await openpgp.readMessage({ binaryMessage: source() });
  } catch (error) {
    throw new EgressError(
      'INTEGRITY',
      `${packagePath}: not an OpenPGP message (${describeOpenpgp(error)}). Is this the .gpg package?`,
      { cause: error },
    );
  }
}

async function readHead(path: string): Promise<Uint8Array> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw new EgressError('INPUT', `${path}: cannot read the package (${describeOpenpgp(error)}).`, {
      cause: error,
    });
  }
  try {
    const buffer = new Uint8Array(64);
    const { bytesRead } = await file.read(buffer, 0, 64, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function checkSignatures(
  packagePath: string,
  signatures: Awaited<ReturnType<typeof openpgp.verify>>['signatures'],
  signerKeys: openpgp.PublicKey[],
): Promise<Omit<DecryptVerifyResult, 'plaintextBytes'>> {
  const expected = signerKeys.map(formatFingerprint).join(', ');
  if (signatures.length === 0) return {};
  const problems: string[] = [];
  for (const signature of signatures) {
    const keyId = signature.keyID.toHex().toUpperCase();
    const signer = signerKeys.find((key) => key.getKeyIDs().some((id) => id.equals(signature.keyID)));
    if (!signer) {
      problems.push(`signed by key ID ${keyId}, which is not the egress signer ${expected}`);
      continue;
    }
    try {
      await signature.verified;
      const made = await signature.signature;
      const signedAt = made.packets[0]?.created ?? undefined;
      return { signer: formatFingerprint(signer), ...(signedAt ? { signedAt } : {}) };
    } catch (error) {
      problems.push(
        `the signature by ${formatFingerprint(signer)} does not verify (${describeOpenpgp(error)})`,
      );
    }
  }
  throw new EgressError('INTEGRITY', `${packagePath}: ${problems.join('; ')}. Nothing was extracted.`);
}
