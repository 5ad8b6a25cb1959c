import * as openpgp from 'openpgp';
import { EgressError } from '../shared/errors.js';
import { describeOpenpgp } from './keys.js';

/**
 * A cleartext-signed document: readable as it is, and `gpg --verify` checks it. Used for delivery
 * receipts, which recipients and auditors read without egress-gate.
 */
export async function signCleartext(text: string, signingKey: openpgp.PrivateKey): Promise<string> {
  try {
    const message = await openpgp.createCleartextMessage({ text });
    return await openpgp.sign({ message, signingKeys: signingKey, format: 'armored' });
  } catch (error) {
    throw new EgressError('INTERNAL', `could not sign the receipt (${describeOpenpgp(error)})`, {
      cause: error,
    });
  }
}

/** Checks a cleartext signature against the signer's keys and returns the signed text. */
export async function verifyCleartext(armored: string, signerKeys: openpgp.PublicKey[]): Promise<string> {
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
    const result = await openpgp.verify({ message, verificationKeys: signerKeys, expectSigned: true });
    return result.data;
  } catch (error) {
    throw new EgressError(
      'INTEGRITY',
      `the receipt's signature does not verify (${describeOpenpgp(error)})`,
      {
        cause: error,
      },
    );
  }
}
