import * as openpgp from 'openpgp';
import { EgressError } from '../shared/errors.js';

/**
 * Reading OpenPGP keys. Messages name the file and the fingerprint, never key material or the
 * passphrase: whatever is thrown here may end up in a log.
 */

const ARMOR_BLOCK =
  /-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g;

/** Upper-case hex fingerprint, the form receipts and messages use. */
export function formatFingerprint(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/** All public keys in one armored (or binary) file; a key file may hold several. */
export async function readPublicKeys(
  source: string | Uint8Array,
  where: string,
): Promise<openpgp.PublicKey[]> {
  let keys: openpgp.Key[] = [];
  try {
    if (typeof source === 'string' && source.includes('-----BEGIN PGP')) {
      // `cat a.asc b.asc` gives several armor blocks; openpgp reads only the first of them.
      for (const block of source.match(ARMOR_BLOCK) ?? [source]) {
        keys.push(...(await openpgp.readKeys({ armoredKeys: block })));
      }
    } else {
      keys = await openpgp.readKeys({ binaryKeys: toBytes(source) });
    }
  } catch (error) {
    throw new EgressError('INPUT', `${where}: not an OpenPGP public key (${describeOpenpgp(error)}).`, {
      cause: error,
    });
  }
  if (keys.length === 0) throw new EgressError('INPUT', `${where}: holds no OpenPGP key.`);
  return keys.map((key) => key.toPublic());
}

/**
 * A secret key ready to sign or decrypt. A protected key needs its passphrase; a wrong or missing
 * passphrase says so without echoing anything.
 */
export async function readSecretKey(
  source: string | Uint8Array,
  where: string,
  passphrase?: string,
): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    key =
      typeof source === 'string' && source.includes('-----BEGIN PGP')
        ? await openpgp.readPrivateKey({ armoredKey: source })
        : await openpgp.readPrivateKey({ binaryKey: toBytes(source) });
  } catch (error) {
    throw new EgressError(
      'INPUT',
      `${where}: not an OpenPGP secret key (${describeOpenpgp(error)}). Export it with 'gpg --export-secret-keys --armor <fingerprint>'.`,
      { cause: error },
    );
  }
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) {
    throw new EgressError(
      'INPUT',
      `${where}: the secret key ${formatFingerprint(key)} is protected by a passphrase; pass --passphrase-file <file>.`,
    );
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (error) {
    throw new EgressError(
      'INPUT',
      `${where}: the passphrase does not unlock the secret key ${formatFingerprint(key)}.`,
      { cause: error },
    );
  }
}

/**
 * GnuPG 2.2 (still the Debian/RHEL default) reads neither v6 keys nor SEIPDv2. openpgp picks
 * SEIPDv2 only when every recipient key advertises it, so the format follows the keys; this says
 * which one will be used, for logs and receipts.
 */
export function describeEncryptionFormat(keys: readonly openpgp.PublicKey[]): 'SEIPDv1' | 'SEIPDv2' {
  return keys.length > 0 && keys.every((key) => key.keyPacket.version === 6 || advertisesSeipdv2(key))
    ? 'SEIPDv2'
    : 'SEIPDv1';
}

/** Keys that GnuPG 2.2 cannot read, by fingerprint, so callers can warn before a recipient is stuck. */
export function findKeysGnupg22CannotRead(keys: readonly openpgp.Key[]): string[] {
  return keys.filter((key) => key.keyPacket.version !== 4).map(formatFingerprint);
}

function advertisesSeipdv2(key: openpgp.PublicKey): boolean {
  const features = key.users.flatMap((user) => user.selfCertifications.map((sig) => sig.features?.[0] ?? 0));
  // Bit 0x08: "Version 2 Symmetrically Encrypted and Integrity Protected Data packet".
  return features.length > 0 && features.every((bits) => (bits & 0x08) !== 0);
}

function toBytes(source: string | Uint8Array): Uint8Array {
  return typeof source === 'string' ? new TextEncoder().encode(source) : source;
}

/** openpgp's messages carry no key material; keep only the first line. */
export function describeOpenpgp(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
