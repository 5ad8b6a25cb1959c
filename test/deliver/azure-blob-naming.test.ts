import { describe, expect, it } from 'vitest';
import { connectAzure, containerNameFor, defaultAzureRetry } from '../../action/src/deliver/azure/connect.js';
import { blockIdFor, chooseBlockSize, maxBlocks } from '../../action/src/deliver/azure/staged-upload.js';
import type { AzureBlobDestination } from '../../action/src/manifest/config-types.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;
const validContainer = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

describe('container names', () => {
  it.each([
    ['dsg-egress', 'req-2026-001', 'dsg-egress-req-2026-001'],
    ['egress', 'a', 'egress-a'],
  ])('%s + %s is %s', (prefix, id, expected) => {
    expect(containerNameFor(prefix, id)).toBe(expected);
  });

  it('keeps ids that Azure would refuse valid and distinct', () => {
    const long = 'x'.repeat(100);
    const names = [
      containerNameFor('egress', long),
      containerNameFor('egress', `${long.slice(0, 99)}y`),
      containerNameFor('egress', 'a--b'),
      containerNameFor('egress', 'a-b'),
      containerNameFor('egress', 'ends-'),
    ];
    for (const name of names) expect(name).toMatch(validContainer);
    expect(new Set(names).size).toBe(names.length);
    expect(containerNameFor('egress', long)).toBe(containerNameFor('egress', long));
  });
});

describe('block layout', () => {
  it.each([
    [0, 8 * MiB],
    [1 * GiB, 8 * MiB],
    [390 * GiB, 8 * MiB],
    [1 * TiB, 21 * MiB],
    [5 * TiB, 105 * MiB],
  ])('a package of %d bytes goes in blocks of %d bytes, under 50,000 of them', (size, blockSize) => {
    expect(chooseBlockSize(size)).toBe(blockSize);
    expect(Math.ceil(size / chooseBlockSize(size))).toBeLessThanOrEqual(maxBlocks);
  });

  it('refuses a package larger than a block blob can hold', () => {
    expect(() => chooseBlockSize(200 * TiB)).toThrow(/exceeds the largest block blob/);
  });

  it('gives every block id of a blob the same length, from its index and content', () => {
    const md5 = Buffer.alloc(16, 7);
    const ids = [0, 9, 12345, 49_999].map((index) => blockIdFor(index, md5));
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([52]));
    expect(Buffer.from(ids[2]!, 'base64').toString()).toBe(`12345-${'07'.repeat(16)}`);
    expect(blockIdFor(3, Buffer.alloc(16, 1))).not.toBe(blockIdFor(3, Buffer.alloc(16, 2)));
  });
});

describe('credentials', () => {
  const destination: AzureBlobDestination = {
    kind: 'azure-blob',
    account: 'dsgegress',
    containerPrefix: 'dsg-egress',
    sasExpiryHours: 72,
  };
  const key = Buffer.alloc(64, 1).toString('base64');

  it('builds the public endpoint from an account name', () => {
    const connection = connectAzure('blob', destination, { azureAccountKey: key }, defaultAzureRetry);
    expect(connection.service.url).toMatch(/^https:\/\/dsgegress\.blob\.core\.windows\.net\/?$/);
    expect(connection.insecureEndpoint).toBe(false);
  });

  it('refuses a connection string for another account, naming both accounts and not the key', () => {
    const other = `DefaultEndpointsProtocol=https;AccountName=otheraccount;AccountKey=${key};EndpointSuffix=core.windows.net`;
    expect(() =>
      connectAzure('blob', destination, { azureConnectionString: other }, defaultAzureRetry),
    ).toThrow(/is for storage account 'otheraccount', but the destination names 'dsgegress'/);
    try {
      connectAzure('blob', destination, { azureConnectionString: other }, defaultAzureRetry);
    } catch (error) {
      expect(String(error)).not.toContain(key);
    }
  });

  it('says which secret is missing', () => {
    expect(() => connectAzure('blob', destination, {}, defaultAzureRetry)).toThrow(
      /destination 'blob' \(azure-blob, account 'dsgegress'\) needs an Azure connection string or account key/,
    );
  });

  it('does not quote a malformed connection string', () => {
    const secret = 'AccountKey=not-a-connection-string-s3cr3t';
    let message = '';
    try {
      connectAzure('blob', destination, { azureConnectionString: secret }, defaultAzureRetry);
    } catch (error) {
      message = String(error);
    }
    expect(message).toMatch(
      /not a valid Azure Storage connection string|has no AccountKey|is for storage account/,
    );
    expect(message).not.toContain('s3cr3t');
  });
});
