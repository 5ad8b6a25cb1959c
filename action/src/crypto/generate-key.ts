import * as openpgp from 'openpgp';

export interface GeneratedKey {
  publicKey: string;
  privateKey: string;
  fingerprint: string;
}

/**
 * A v4 Curve25519 key pair (openpgp's `ecc`), the kind GnuPG 2.2 reads. For the demo's throwaway
 * identities; real deployments bring their own keys.
 */
export async function generateDemoKey(name: string, email: string): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email }],
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { publicKey, privateKey, fingerprint: key.getFingerprint().toUpperCase() };
}
