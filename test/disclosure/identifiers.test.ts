import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, scanLineForIdentifiers } from '../../action/src/disclosure/identifiers.js';

const codes = (text: string, context = {}) => scanLineForIdentifiers(text, context).map((f) => f.rule);

describe('direct identifiers in a line', () => {
  it.each([
    ['contact jane.doe@nhs.net for data', ['email-address']],
    ['call 07700 900123 today', ['phone-number']],
    ['office +44 20 7946 0958', ['phone-number']],
    ['lives at SW1A 1AA', ['uk-postcode']],
    ['patient 943 476 5919 admitted', ['nhs-number']],
    ['patient 9434765919 admitted', ['nhs-number']],
    ['DOB: 1984-03-12', ['date-of-birth']],
    ['site at 51.50135, -0.14189', ['precise-coordinates']],
    ['login from 192.168.10.23 at 09:14', ['ip-address']],
    ['peer 2001:db8:85a3::8a2e:370:7334 connected', ['ip-address']],
  ])('finds %j', (text, expected) => {
    expect(codes(text)).toEqual(expected);
  });

  it.each([
    ['version 1.2.3 released 2024-01-02'],
    ['mean 51.5, sd 0.14'],
    ['id 9434765918 fails the NHS checksum'],
    ['total 12345 rows'],
    ['lat 51.5 lon -0.1'],
    ['listening on 127.0.0.1 and ::1'],
    ['release 1.2.3 of 10.20.30'],
    ['octets 256.1.1.1 are not an address'],
    ['at 12:30:45 on 2026-03-01'],
  ])('does not flag %j', (text) => {
    expect(codes(text)).toEqual([]);
  });

  it('treats any date as a birth date in a birth-date column, and gives the column', () => {
    const [finding] = scanLineForIdentifiers('7,12/03/1984,F', { birthColumn: true });
    expect(finding).toMatchObject({ rule: 'date-of-birth', column: 3 });
  });

  it('masks the value in its message so the finding does not leak it', () => {
    const [finding] = scanLineForIdentifiers('jane.doe@nhs.net');
    expect(finding?.message).not.toContain('jane.doe@nhs.net');
  });

  it('checks the NHS modulus-11 digit', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('4010232137')).toBe(true);
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('123')).toBe(false);
  });
});
