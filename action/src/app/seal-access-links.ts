import * as openpgp from 'openpgp';
import { describeOpenpgp } from '../crypto/keys.js';
import { EgressError } from '../shared/errors.js';

/**
 * The recipients' access links (Azure SAS URLs: read-only, scoped to one blob, expiring) as one
 * armored OpenPGP message encrypted to the package's recipient keys and signed by the egress
 * signing key. The token and the data travel by different channels: the message is posted on the
 * pull request, only the recipients can read it, and they check who wrote it with `gpg --decrypt`.
 */
export async function sealAccessLinks(input: {
  request: string;
  collection: string;
  links: readonly { remoteName: string; url: string; expiresAt: string }[];
  keys: readonly openpgp.PublicKey[];
  signingKey?: openpgp.PrivateKey;
}): Promise<string> {
  if (input.keys.length === 0) {
    throw new EgressError(
      'CONFIG',
      `no recipient key to encrypt the access links of '${input.collection}' to`,
    );
  }
  const lines = [
    `egress-gate access links for ${input.request} / ${input.collection}`,
    'Each link reads one file, expires at the time shown, and cannot write or list.',
    "Download with: azcopy copy '<link>' .   (or paste it into Azure Storage Explorer)",
    '',
    ...input.links.flatMap((l) => [`${l.remoteName} (expires ${l.expiresAt})`, l.url, '']),
  ];
  try {
    const message = await openpgp.createMessage({ text: lines.join('\n') });
    return await openpgp.encrypt({
      message,
      encryptionKeys: [...input.keys],
      ...(input.signingKey ? { signingKeys: input.signingKey } : {}),
      format: 'armored',
      config: { aeadProtect: false },
    });
  } catch (error) {
    throw new EgressError('INTERNAL', `could not encrypt the access links (${describeOpenpgp(error)})`, {
      cause: error,
    });
  }
}

/**
 * Masks the signature of any SAS-looking link in a line of text (`sig=…`), for the adapters' own
 * log lines: the links are registered as secrets only once the adapter hands them over.
 */
export function maskSasSignatures(text: string): string {
  return text.replace(/([?&]sig=)[^&\s'"]+/gi, '$1***');
}
