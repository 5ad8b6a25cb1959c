import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import {
  describeEncryptionFormat,
  findKeysGnupg22CannotRead,
  readPublicKeys,
  readSecretKey,
} from '../../action/src/crypto/keys.js';
import { isEgressError } from '../../action/src/shared/errors.js';
import { makeTestKey } from '../pack/pack-fixtures.js';

const passphrase = 'correct horse battery staple';

describe('readSecretKey', () => {
  it('unlocks a protected key with its passphrase', async () => {
    const key = await makeTestKey('Egress', passphrase);
    const unlocked = await readSecretKey(key.secretArmored, 'signing.asc', passphrase);
    expect(unlocked.isDecrypted()).toBe(true);
    expect(unlocked.getFingerprint().toUpperCase()).toBe(key.fingerprint);
  });

  it.each([
    { given: undefined, says: 'is protected by a passphrase; pass --passphrase-file <file>' },
    { given: 'wrong passphrase', says: 'the passphrase does not unlock the secret key' },
  ])(
    'explains a missing or wrong passphrase without printing any secret ($given)',
    async ({ given, says }) => {
      const key = await makeTestKey('Egress', passphrase);
      const error = await readSecretKey(key.secretArmored, 'signing.asc', given).catch((e: unknown) => e);
      expect(isEgressError(error) && error.code).toBe('INPUT');
      const message = (error as Error).message;
      expect(message).toContain(`signing.asc: `);
      expect(message).toContain(says);
      expect(message).toContain(key.fingerprint);
      expect(message).not.toContain(passphrase);
      expect(message).not.toContain('wrong passphrase');
      expect(message).not.toMatch(/BEGIN PGP/);
    },
  );

  it('refuses a public key where a secret key is needed, naming the file', async () => {
    const key = await makeTestKey('Egress');
    await expect(readSecretKey(key.publicArmored, 'keys/egress.asc')).rejects.toThrow(
      /^keys\/egress.asc: not an OpenPGP secret key/,
    );
  });
});

describe('readPublicKeys', () => {
  it('reads every key of a file holding several', async () => {
    const [a, b] = await Promise.all([makeTestKey('A'), makeTestKey('B')]);
    const keys = await readPublicKeys(`${a.publicArmored}\n${b.publicArmored}`, 'provider.asc');
    expect(keys.map((k) => k.getFingerprint().toUpperCase())).toEqual([a.fingerprint, b.fingerprint]);
    expect(keys.every((k) => !k.isPrivate())).toBe(true);
  });

  it('refuses text that is not a key', async () => {
    await expect(readPublicKeys('hello', 'provider.asc')).rejects.toThrow(
      /^provider.asc: not an OpenPGP public key/,
    );
  });
});

describe('encryption format', () => {
  it('is SEIPDv1 for v4 keys (GnuPG 2.2) and SEIPDv2 only when every key is v6', async () => {
    const v4 = (await makeTestKey('Old')).publicKey;
    const v6 = (
      await openpgp.generateKey({ type: 'curve25519', userIDs: [{ name: 'New' }], config: { v6Keys: true } })
    ).publicKey;
    const v6Key = await openpgp.readKey({ armoredKey: v6 });
    expect(describeEncryptionFormat([v4])).toBe('SEIPDv1');
    expect(describeEncryptionFormat([v4, v6Key])).toBe('SEIPDv1');
    expect(describeEncryptionFormat([v6Key])).toBe('SEIPDv2');
    expect(findKeysGnupg22CannotRead([v4, v6Key])).toEqual([v6Key.getFingerprint().toUpperCase()]);
  });
});
