import * as openpgp from 'openpgp';
import { EgressError } from '../shared/errors.js';
import { describeOpenpgp, formatFingerprint } from './keys.js';

/**
 * An armored detached signature (`gpg --verify file.asc file` checks it), as Linux distributions
 * sign `SHA256SUMS`. Deterministic for the same bytes, key and date: no random salt notation, and
 * EdDSA signatures are deterministic. The date is `date`, or the signing key's creation time when
 * the key is younger (a signature cannot predate its key). EdDSA legacy keys sign with SHA-512.
 */
export async function signDetached(
  bytes: Uint8Array,
  signingKey: openpgp.PrivateKey,
  date: Date,
): Promise<Uint8Array> {
  try {
    const signingSubkey = await signingKey.getSigningKey(undefined, new Date());
    const created = signingSubkey.getCreationTime();
    const when = created.getTime() > date.getTime() ? created : date;
    const message = await openpgp.createMessage({ binary: bytes });
    const armored = await openpgp.sign({
      message,
      signingKeys: signingKey,
      detached: true,
      format: 'armored',
      date: when,
      config: { nonDeterministicSignaturesViaNotation: false },
    });
    return new TextEncoder().encode(armored);
  } catch (error) {
    throw new EgressError(
      'INPUT',
      `The egress signing key ${formatFingerprint(signingKey)} cannot sign: ${describeOpenpgp(error)}.`,
      { cause: error },
    );
  }
}

/** Checks a detached signature over `bytes` by one of `signerKeys`; returns the signer and time. */
export async function verifyDetached(
  bytes: Uint8Array,
  armoredSignature: string,
  signerKeys: openpgp.PublicKey[],
): Promise<{ signer: string; signedAt?: Date }> {
  const signature = await openpgp.readSignature({ armoredSignature });
  const issuers = signature.getSigningKeyIDs();
  const known = signerKeys.some((key) => key.getKeyIDs().some((id) => issuers.some((i) => i.equals(id))));
  if (!known) {
    const expected = signerKeys.map(formatFingerprint).join(', ');
    const ids = issuers.map((id) => id.toHex().toUpperCase()).join(', ') || 'unknown';
    throw new Error(`signed by key ID ${ids}, which is not the egress signer ${expected}`);
  }
  const message = await openpgp.createMessage({ binary: bytes });
  const result = await openpgp.verify({
    message,
    signature,
    verificationKeys: signerKeys,
    expectSigned: true,
  });
  const first = result.signatures[0]!;
  const signer = signerKeys.find((key) => key.getKeyIDs().some((id) => id.equals(first.keyID)))!;
  const made = await first.signature;
  const signedAt = made.packets[0]?.created ?? undefined;
  return { signer: formatFingerprint(signer), ...(signedAt ? { signedAt } : {}) };
}
