import * as openpgp from 'openpgp';
import { EgressError } from '../shared/errors.js';
import { describeOpenpgp } from './keys.js';

export interface EncryptStreamOptions {
  /** Plaintext; chunks of ~1 MiB keep openpgp fast (it is slow on many small chunks). */
  plaintext: ReadableStream<Uint8Array>;
  encryptionKeys: openpgp.PublicKey[];
  /** The egress signing key, already unlocked. */
  signingKey: openpgp.PrivateKey;
  /** Optional passphrases that also open the package (sent to the recipient by another channel). */
  passwords?: string[];
  /** Name stored in the literal data packet (`gpg --use-embedded-filename`). */
  filename: string;
  /** Stored in the literal data packet; the signature carries the signing time (a key made after
   * the receipt's date must still sign). */
  date: Date;
}

/**
 * Sign and encrypt in one pass, stream to stream. Uncompressed: tar of already-compressed outputs
 * gains little, and compression is the slowest stage. The format (SEIPDv1 unless every recipient
 * key asks for v2) follows the recipient keys, so GnuPG 2.2 can read packages for v4 keys.
 */
export async function encryptStream(options: EncryptStreamOptions): Promise<ReadableStream<Uint8Array>> {
  if (options.encryptionKeys.length === 0 && !options.passwords?.length) {
    throw new EgressError(
      'CONFIG',
      'No recipient key and no passphrase: the package would not be encrypted.',
    );
  }
  try {
    const message = await openpgp.createMessage({
      binary: options.plaintext,
      filename: options.filename,
      date: options.date,
      format: 'binary',
    });
    const encrypted = await openpgp.encrypt({
      message,
      encryptionKeys: options.encryptionKeys,
      signingKeys: options.signingKey,
      ...(options.passwords?.length ? { passwords: options.passwords } : {}),
      format: 'binary',
      config: {
        preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
        // openpgp defaults to SHA-512, half the speed of SHA-256 on CPUs with SHA extensions;
        // SHA-256 is what GnuPG uses for these keys too.
        preferredHashAlgorithm: openpgp.enums.hash.sha256,
        aeadProtect: false,
      },
    });
    return encrypted as unknown as ReadableStream<Uint8Array>;
  } catch (error) {
    throw new EgressError('INTEGRITY', `Cannot sign and encrypt the package: ${describeOpenpgp(error)}.`, {
      cause: error,
    });
  }
}
