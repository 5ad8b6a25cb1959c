import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { EgressError } from '../shared/errors.js';
import { describeEncryptionFormat, describeOpenpgp } from './keys.js';
import {
  createPacketFramer,
  encodeLiteralHeader,
  framingOverhead,
  MDC_PACKET_BYTES,
  type PacketFramer,
  PREFIX_BYTES,
  TAG_LITERAL,
  TAG_SEIPD,
} from './packet-framing.js';

export interface EncryptStreamOptions {
  /** Plaintext; chunks of ~1 MiB keep openpgp fast (it is slow on many small chunks). */
  plaintext: ReadableStream<Uint8Array>;
  encryptionKeys: openpgp.PublicKey[];
  /** The egress signing key, already unlocked; without it the message is encrypted only. */
  signingKey?: openpgp.PrivateKey;
  /** Optional passphrases that also open the package (sent to the recipient by another channel). */
  passwords?: string[];
  /** Name stored in the literal data packet (`gpg --use-embedded-filename`). */
  filename: string;
  /** Stored in the literal data packet; the signature carries the signing time (a key made after
   * the receipt's date must still sign). */
  date: Date;
}

const openpgpConfig = {
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  aeadProtect: false,
};

/**
 * Encrypt (and, given a signing key, sign in one pass) with openpgp.js, stream to stream.
 * Uncompressed: tar of already-compressed outputs gains little, and compression is the slowest
 * stage. The format (SEIPDv1 unless every recipient key asks for v2) follows the recipient keys, so
 * GnuPG 2.2 can read packages for v4 keys. A one-pass signature by an EdDSA legacy key (the kind
 * GnuPG 2.2 reads) hashes with SHA-512 whatever `preferredHashAlgorithm` says; gpg picks SHA-512
 * for those keys too. Packages are made encrypt-only (their detached signatures are inside); the
 * signed form is what older packages used, kept so `verify` can be tested against it.
 */
export async function encryptStream(options: EncryptStreamOptions): Promise<ReadableStream<Uint8Array>> {
  requireSomeRecipient(options.encryptionKeys, options.passwords);
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
      ...(options.signingKey ? { signingKeys: options.signingKey } : {}),
      ...(options.passwords?.length ? { passwords: options.passwords } : {}),
      format: 'binary',
      config: openpgpConfig,
    });
    return encrypted as unknown as ReadableStream<Uint8Array>;
  } catch (error) {
    throw new EgressError('INTEGRITY', `Cannot encrypt the package: ${describeOpenpgp(error)}.`, {
      cause: error,
    });
  }
}

/**
 * What it takes to write a SEIPDv1 message ourselves: openpgp.js makes the session key and the
 * session-key packets; we frame the literal and SEIPD packets and encrypt on a second thread.
 */
export interface OwnSeipdPlan {
  /** PKESK/SKESK packets, written first. */
  sessionKeyPackets: Uint8Array;
  /** The AES-256 session key (for the encryption thread only; never logged). */
  sessionKey: Uint8Array;
}

/**
 * The session key and its packets, when the recipients allow our own SEIPDv1 framing: every key
 * v4 and SEIPDv1 (no AEAD), cipher AES-256. Anything else → undefined, and the caller falls back to
 * openpgp.js for the whole message.
 */
export async function prepareOwnSeipd(
  encryptionKeys: openpgp.PublicKey[],
  passwords: string[] | undefined,
  date: Date,
): Promise<OwnSeipdPlan | undefined> {
  requireSomeRecipient(encryptionKeys, passwords);
  if (encryptionKeys.length === 0) return undefined;
  if (encryptionKeys.some((key) => key.keyPacket.version !== 4)) return undefined;
  if (describeEncryptionFormat(encryptionKeys) !== 'SEIPDv1') return undefined;
  try {
    const sessionKey = await openpgp.generateSessionKey({ encryptionKeys, date, config: openpgpConfig });
    if (sessionKey.algorithm !== 'aes256' || sessionKey.aeadAlgorithm !== undefined) return undefined;
    if (sessionKey.data.length !== 32) return undefined;
    const sessionKeyPackets = await openpgp.encryptSessionKey({
      data: sessionKey.data,
      algorithm: sessionKey.algorithm,
      encryptionKeys,
      ...(passwords?.length ? { passwords } : {}),
      date,
      format: 'binary',
      config: openpgpConfig,
    });
    return { sessionKeyPackets, sessionKey: sessionKey.data };
  } catch (error) {
    throw new EgressError('INTEGRITY', `Cannot encrypt the package: ${describeOpenpgp(error)}.`, {
      cause: error,
    });
  }
}

/**
 * The two layers of a SEIPDv1 message around a plaintext of known length:
 *  - `plaintext` frames the SEIPD plaintext: the random prefix, then the literal data packet
 *    (header, then the data as it comes), all of which the encryption thread hashes (MDC) and
 *    encrypts; the thread appends the MDC packet;
 *  - `ciphertext` frames what the thread returns as the SEIPD packet's body (version 1 first).
 */
export interface SeipdFraming {
  /** Pieces to encrypt that open the message (prefix, literal packet header). */
  openPlaintext(): Uint8Array[];
  framePlaintext(data: Uint8Array): Uint8Array[];
  endPlaintext(): Uint8Array[];
  /** Pieces to write that open the SEIPD packet (tag, first length, version). */
  openCiphertext(): Uint8Array[];
  frameCiphertext(data: Uint8Array): Uint8Array[];
  endCiphertext(): Uint8Array[];
}

export function createSeipdFraming(options: {
  dataBytes: number;
  filename: string;
  date: Date;
}): SeipdFraming {
  const literalHeader = encodeLiteralHeader(options.filename, options.date);
  const literalBody = literalHeader.length + options.dataBytes;
  const literalPacket = 1 + framingOverhead(literalBody) + literalBody;
  const seipdBody = 1 + PREFIX_BYTES + literalPacket + MDC_PACKET_BYTES;
  const literal: PacketFramer = createPacketFramer(TAG_LITERAL, literalBody);
  const seipd: PacketFramer = createPacketFramer(TAG_SEIPD, seipdBody);
  return {
    openPlaintext() {
      const prefix = randomBytes(PREFIX_BYTES);
      prefix[16] = prefix[14]!;
      prefix[17] = prefix[15]!;
      return [new Uint8Array(prefix), ...literal.frame(literalHeader)];
    },
    framePlaintext: (data) => literal.frame(data),
    endPlaintext: () => literal.end(),
    openCiphertext: () => seipd.frame(Uint8Array.of(1)),
    frameCiphertext: (data) => seipd.frame(data),
    endCiphertext: () => seipd.end(),
  };
}

function requireSomeRecipient(keys: readonly openpgp.PublicKey[], passwords: string[] | undefined): void {
  if (keys.length === 0 && !passwords?.length) {
    throw new EgressError(
      'CONFIG',
      'No recipient key and no passphrase: the package would not be encrypted.',
    );
  }
}
