import { describe, expect, it } from 'vitest';
import { parseConfig, parseSchemaFile, parseWorkPackage } from '../../action/src/manifest/parse-manifest.js';
import { createSchemaValidators, emailRule } from '../../action/src/manifest/schema.js';

const validators = createSchemaValidators();
const header = 'policy: turing-dsh\noutputsRoot: outputs\ndestinations:\n';

describe('config.yaml', () => {
  it.each([
    ['an email destination', '  mail:\n    kind: email\n    to: a@example.org\n', 'email-destination', 5, 11],
    [
      'sftp without a pinned host key',
      '  drop:\n    kind: sftp\n    host: h\n    port: 22\n    user: u\n    remoteDir: /in\n',
      'missing-field',
      5,
      5,
    ],
    [
      'a malformed host key',
      '  drop:\n    kind: sftp\n    host: h\n    port: 22\n    user: u\n    remoteDir: /in\n    hostKeyFingerprint: MD5:aa:bb\n',
      'invalid-value',
      10,
      25,
    ],
    [
      'an unknown destination field',
      '  disk:\n    kind: physical\n    path: /mnt\n    mountOptions: ro\n',
      'unknown-field',
      7,
      5,
    ],
    ['an unknown kind', '  disk:\n    kind: carrier-pigeon\n', 'invalid-value', 5, 11],
    [
      'a destination name with capitals',
      '  Disk:\n    kind: physical\n    path: /mnt\n',
      'invalid-value',
      4,
      3,
    ],
    [
      'a SAS expiry in words',
      '  blob:\n    kind: azure-blob\n    account: a\n    containerPrefix: p\n    sasExpiryHours: three days\n',
      'wrong-type',
      8,
      21,
    ],
  ])('%s → %s', (_name, body, code, line, column) => {
    const result = parseConfig(header + body, '.egress/config.yaml', validators);
    expect(result.value).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toContain(
      `${code} ${line}:${column}`,
    );
  });

  it('quotes the seed rule when refusing email, and says nothing else about that destination', () => {
    const result = parseConfig(
      `${header}  mail:\n    kind: email\n    to: a@example.org\n`,
      'c.yaml',
      validators,
    );
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]!.message).toContain(`"${emailRule}"`);
  });

  it('refuses an outputs root outside the repository', () => {
    const result = parseConfig(
      'policy: p\noutputsRoot: ../elsewhere\ndestinations:\n  d: {kind: physical, path: /mnt}\n',
      'c.yaml',
      validators,
    );
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unsafe-path']);
  });
});

const workPackage = (extra = '') => `id: wp-1
title: T
tier: 3
roles:
  investigator: [alice]
  referee: [carol]
dataProvider:
  name: Trust
  keys: [provider.asc]
  destinations: [disk]
destinations: [disk]
recipients: [alice.asc]
${extra}`;

describe('work package', () => {
  const config = {
    policy: 'p',
    outputsRoot: 'o',
    destinations: { disk: { kind: 'physical' as const, path: '/mnt' } },
  };
  const keyFiles = new Set(['provider.asc', 'alice.asc']);

  it('accepts a complete work package', () => {
    const result = parseWorkPackage(workPackage(), '.egress/work-packages/wp-1.yaml', validators, {
      config,
      keyFiles,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.value?.roles['referee']).toEqual(['carol']);
  });

  it.each([
    ['a missing key file', { keyFiles: new Set(['alice.asc']) }, workPackage(), 'unknown-key 9:10'],
    ['a file name that differs from the id', {}, workPackage(), 'id-mismatch 1:5', 'wp-2.yaml'],
    [
      'one person in two classifying roles',
      {},
      workPackage().replace('[carol]', '[alice]'),
      'role-conflict 6:13',
    ],
    [
      'an unconfigured destination',
      {},
      workPackage().replace('destinations: [disk]\nrecipients', 'destinations: [disk, tape]\nrecipients'),
      'unknown-destination 11:22',
    ],
    ['an unknown field', {}, workPackage('budget: 100\n'), 'unknown-field 13:1'],
    ['a role id with capitals', {}, workPackage().replace('referee:', 'Referee:'), 'invalid-value 6:3'],
  ])('reports %s', (_name, override, text, expected, file = 'wp-1.yaml') => {
    const result = parseWorkPackage(text, `.egress/work-packages/${file}`, validators, {
      config,
      keyFiles,
      ...override,
    });
    expect(result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toContain(expected);
  });
});

describe('receipt schema', () => {
  it('accepts a receipt and refuses unknown fields', () => {
    const receipt = {
      receiptVersion: 1,
      request: { id: 'r', title: 't', workPackage: 'w', requester: 'erin' },
      collection: { name: 'c', kind: 'report', destination: 'd' },
      tier: 1,
      classifications: [{ role: 'referee', user: 'carol', tier: 1, reviewId: '7', commit: 'abc' }],
      files: [{ path: 'a.csv', sha256: 'a'.repeat(64), size: 1 }],
      excluded: [],
      recipients: ['A'.repeat(40)],
      signer: 'B'.repeat(40),
      passphrase: false,
      commit: '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e',
      merger: 'dora',
      evidence: { source: 'forge', pullRequest: 7 },
      createdAt: '2026-03-20T10:00:00Z',
    };
    expect(validators.validate('receipt', receipt)).toEqual([]);
    const text = JSON.stringify({ ...receipt, secret: 'x' }, null, 2);
    const result = parseSchemaFile(text, 'RECEIPT.json', 'receipt', validators);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['unknown-field']);
  });
});
