import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobClient,
  BlobServiceClient,
  BlockBlobClient,
  ContainerClient,
  generateAccountSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBlobDelivery } from '../../action/src/deliver/azure-blob.js';
import type { DeliveryFile, DestinationSecrets } from '../../action/src/deliver/delivery.js';
import type { AzureBlobDestination } from '../../action/src/manifest/config-types.js';
import { EgressError } from '../../action/src/shared/errors.js';
import { type Azurite, startAzurite } from './azurite-fixture.js';
import { expectHoldsAndRemovePending } from './pending-contract.js';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const fastRetry = { maxTries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 };
const MiB = 1024 * 1024;

describe('azure-blob delivery against Azurite', () => {
  let azurite: Azurite;
  let work: string;
  let service: BlobServiceClient;
  let destination: AzureBlobDestination;
  let secrets: DestinationSecrets;

  beforeAll(async () => {
    azurite = await startAzurite();
    work = await mkdtemp(join(tmpdir(), 'egress-azure-'));
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    destination = {
      kind: 'azure-blob',
      account: azurite.blobEndpoint,
      containerPrefix: 'egress',
      sasExpiryHours: 72,
    };
    secrets = { azureConnectionString: azurite.connectionString };
  });
  afterAll(async () => {
    await azurite?.[Symbol.asyncDispose]();
    await rm(work, { recursive: true, force: true });
  });

  async function source(name: string, content: Buffer | string): Promise<DeliveryFile> {
    const localPath = join(work, name);
    await writeFile(localPath, content);
    return { localPath, remoteName: name, sha256: sha(content), size: Buffer.byteLength(content) };
  }

  async function packageAndReceipt(id: string, bytes = 20 * MiB) {
    const data = randomBytes(bytes);
    const receipt = `-----BEGIN PGP SIGNED MESSAGE-----\n{"request":"${id}"}\n`;
    return {
      data,
      receipt,
      files: [await source(`${id}-report.tar.gpg`, data), await source(`${id}-report.receipt.asc`, receipt)],
    };
  }

  async function listed(container: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of service.getContainerClient(container).listBlobsFlat()) names.push(blob.name);
    return names.sort();
  }

  async function containerNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const container of service.listContainers()) names.push(container.name);
    return names;
  }

  it('says what a final name holds, and removes pending receipts only', async () => {
    const delivery = createAzureBlobDelivery(
      'researcher-blob',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    await expectHoldsAndRemovePending(delivery, 'req-pending', source, () => listed('egress-req-pending'));
  });

  it('a blob whose sha256 metadata lies is not taken for the package (the pending receipt publishes the hash)', async () => {
    const delivery = createAzureBlobDelivery(
      'researcher-blob',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    const real = await source('req-forged-x.tar.gpg', 'the real package');
    const forged = Buffer.from('a forged package'.padEnd(real.size, '!'));
    const container = service.getContainerClient('egress-req-forged');
    await container.createIfNotExists();
    await container
      .getBlockBlobClient(real.remoteName)
      .upload(forged, forged.length, { metadata: { sha256: real.sha256 } });
    expect(await delivery.holds('req-forged', real)).toBe('different');
    await expect(delivery.deliver('req-forged', [real])).rejects.toThrow(
      /already exists with different content/,
    );
    expect((await container.getBlobClient(real.remoteName).downloadToBuffer()).equals(forged)).toBe(true);
  });

  it('makes fresh read links for files delivered earlier (a completed interrupted delivery)', async () => {
    const delivery = createAzureBlobDelivery(
      'researcher-blob',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    const file = await source('req-links-x.tar.gpg', 'delivered by an earlier run');
    await delivery.deliver('req-links', [file]);
    const [link, ...more] = (await delivery.accessLinks?.('req-links', [file.remoteName])) ?? [];
    expect(more).toEqual([]);
    expect(link?.remoteName).toBe(file.remoteName);
    expect(Date.parse(link!.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);
    expect(sha(await new BlobClient(link!.url).downloadToBuffer())).toBe(file.sha256);
  });

  it('commits every file under its final name in the request container, and a re-run sends nothing', async () => {
    const sent: string[] = [];
    const progress: number[] = [];
    const logs: string[] = [];
    const delivery = createAzureBlobDelivery(
      'researcher-blob',
      destination,
      { repoRoot: work, secrets, log: (message) => logs.push(message) },
      { retry: fastRetry, onBlockStaged: (name, index) => sent.push(`${name}#${index}`) },
    );
    const { data, receipt, files } = await packageAndReceipt('req-round-trip');
    const first = await delivery.deliver('req-round-trip', files, (_file, bytes) => progress.push(bytes));
    expect(first.location).toBe(`${azurite.blobEndpoint}/egress-req-round-trip`);
    expect(first.alreadyDelivered).toBe(false);
    expect(await listed('egress-req-round-trip')).toEqual(files.map((file) => file.remoteName).sort());
    // 20 MiB in 8 MiB blocks, plus the one-block receipt.
    expect(sent).toHaveLength(4);
    expect(progress.at(-1)).toBe(Buffer.byteLength(receipt));
    expect(progress).toContain(data.length);

    const blob = service.getContainerClient('egress-req-round-trip').getBlobClient(files[0]!.remoteName);
    expect(sha(await blob.downloadToBuffer())).toBe(files[0]!.sha256);
    expect((await blob.getProperties()).metadata).toEqual({ sha256: files[0]!.sha256 });
    expect(await delivery.readExisting('req-round-trip', files[1]!.remoteName, 1024)).toBe(receipt);
    expect(await delivery.readExisting('req-round-trip', 'absent.receipt.asc', 1024)).toBeUndefined();
    expect(await delivery.readExisting('req-never-delivered', files[1]!.remoteName, 1024)).toBeUndefined();
    await expect(delivery.readExisting('req-round-trip', files[0]!.remoteName, 1024)).rejects.toThrow(
      /more than a receipt/,
    );

    sent.length = 0;
    const again = await delivery.deliver('req-round-trip', files);
    expect(again.alreadyDelivered).toBe(true);
    expect(sent).toEqual([]);
    // Nothing secret reaches the log: neither the key nor a link's signature.
    const signatures = [...first.accessUrls!, ...again.accessUrls!].map(
      (link) => new URL(link.url).searchParams.get('sig')!,
    );
    for (const line of logs) {
      expect(line).not.toContain(azurite.accountKey);
      for (const signature of signatures) expect(line).not.toContain(signature);
    }
    await delivery.close();
  });

  it('streams blocks too large to hold in memory (multi-TB packages) and commits the same bytes', async () => {
    const sent: number[] = [];
    const delivery = createAzureBlobDelivery(
      'b',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry, blockSize: 17 * MiB, onBlockStaged: (_name, _index, bytes) => sent.push(bytes) },
    );
    const data = randomBytes(40 * MiB);
    const file = await source('big.tar.gpg', data);
    await delivery.deliver('req-streamed', [file]);
    expect(sent.sort((a, b) => b - a)).toEqual([17 * MiB, 17 * MiB, 6 * MiB]);
    const blob = service.getContainerClient('egress-req-streamed').getBlobClient('big.tar.gpg');
    expect(sha(await blob.downloadToBuffer())).toBe(file.sha256);
  });

  it('never overwrites a delivered blob with other content', async () => {
    const delivery = createAzureBlobDelivery(
      'b',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    await delivery.deliver('req-overwrite', [await source('a.tar.gpg', 'first package')]);
    const other = await source('a.tar.gpg', 'a re-packed, different package');
    await expect(delivery.deliver('req-overwrite', [other])).rejects.toThrow(
      /already exists with different content .*never overwritten/,
    );
    const blob = service.getContainerClient('egress-req-overwrite').getBlobClient('a.tar.gpg');
    expect((await blob.downloadToBuffer()).toString()).toBe('first package');
  });

  it('two runs racing: the same package lands once, a different one is refused', async () => {
    const make = () =>
      createAzureBlobDelivery(
        'b',
        destination,
        { repoRoot: work, secrets },
        { retry: fastRetry, blockSize: MiB },
      );
    const same = await source('race.tar.gpg', randomBytes(6 * MiB));
    const results = await Promise.all([
      make().deliver('req-race', [same]),
      make().deliver('req-race', [same]),
    ]);
    expect(results.map((result) => result.location)).toEqual([results[0]!.location, results[0]!.location]);
    const blob = service.getContainerClient('egress-req-race').getBlobClient('race.tar.gpg');
    expect(sha(await blob.downloadToBuffer())).toBe(same.sha256);

    const first = await source('race2-a.tar.gpg', randomBytes(3 * MiB));
    const second = await source('race2-b.tar.gpg', randomBytes(3 * MiB));
    const outcomes = await Promise.allSettled([
      make().deliver('req-race2', [{ ...first, remoteName: 'race2.tar.gpg' }]),
      make().deliver('req-race2', [{ ...second, remoteName: 'race2.tar.gpg' }]),
    ]);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/never overwritten/);
    const winner = outcomes[0]!.status === 'fulfilled' ? first : second;
    const landed = service.getContainerClient('egress-req-race2').getBlobClient('race2.tar.gpg');
    expect(sha(await landed.downloadToBuffer())).toBe(winner.sha256);
  });

  it('says the local package is unreadable, rather than asking for a retry', async () => {
    const delivery = createAzureBlobDelivery(
      'b',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    const missing = {
      localPath: join(work, 'gone.tar.gpg'),
      remoteName: 'gone.tar.gpg',
      sha256: sha(''),
      size: 0,
    };
    const error = (await delivery
      .deliver('req-missing', [missing])
      .catch((caught: unknown) => caught)) as EgressError;
    expect(error.code).toBe('INPUT');
    expect(error.transient).toBe(false);
    expect(error.message).toContain(`could not read ${missing.localPath}`);
  });

  it('commits nothing when the bytes read do not hash to the pin', async () => {
    const delivery = createAzureBlobDelivery(
      'b',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    const file = { ...(await source('a.tar.gpg', 'package')), sha256: sha('something else') };
    const error = await delivery.deliver('req-bad-pin', [file]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EgressError);
    expect((error as EgressError).code).toBe('INTEGRITY');
    expect((error as EgressError).message).toMatch(/nothing was committed/);
    expect(await listed('egress-req-bad-pin')).toEqual([]);
  });

  it('hands out read-only links, one per blob, that expire', async () => {
    const delivery = createAzureBlobDelivery(
      'b',
      destination,
      { repoRoot: work, secrets },
      { retry: fastRetry },
    );
    const { files } = await packageAndReceipt('req-sas', 3 * MiB);
    const result = await delivery.deliver('req-sas', files);
    expect(result.location).not.toMatch(/[?&]sig=/);
    const links = result.accessUrls ?? [];
    expect(links.map((link) => link.remoteName)).toEqual(files.map((file) => file.remoteName));
    const [pkg, receipt] = links;
    expect(Date.parse(pkg!.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);

    // Reads what it names: the package and the receipt.
    expect(sha(await new BlobClient(pkg!.url).downloadToBuffer())).toBe(files[0]!.sha256);
    expect(sha(await new BlobClient(receipt!.url).downloadToBuffer())).toBe(files[1]!.sha256);

    const token = new URL(pkg!.url).search;
    const status = (promise: Promise<unknown>) =>
      promise.then(
        () => 'allowed',
        (error: { statusCode?: number }) => error.statusCode,
      );
    // Cannot write, not even the blob it names.
    expect(await status(new BlockBlobClient(pkg!.url).upload('tampered', 8))).toBe(403);
    // Cannot read another blob with the same token.
    const receiptUrl = `${result.location}/${files[1]!.remoteName}${token}`;
    expect(await status(new BlobClient(receiptUrl).downloadToBuffer())).toBe(403);
    // Cannot list the container.
    const listing = new ContainerClient(`${result.location}${token}`).listBlobsFlat().next();
    expect(await status(listing)).toBe(403);

    // Refused after expiry: a delivery whose clock reads 73 hours ago hands out a link already expired.
    const past = () => new Date(Date.now() - 73 * 3_600_000);
    const late = createAzureBlobDelivery('b', destination, { repoRoot: work, secrets, now: past });
    const rerun = await late.deliver('req-sas', files);
    expect(rerun.alreadyDelivered).toBe(true);
    const expired = rerun.accessUrls![0]!;
    expect(Date.parse(expired.expiresAt)).toBeLessThan(Date.now());
    expect(await status(new BlobClient(expired.url).downloadToBuffer())).toBe(403);
  });

  it('a wrong account key uploads nothing, says which secret to check, and is not worth a retry', async () => {
    const wrongKey = randomBytes(64).toString('base64');
    const delivery = createAzureBlobDelivery(
      'researcher-blob',
      destination,
      { repoRoot: work, secrets: { azureAccountKey: wrongKey } },
      { retry: fastRetry },
    );
    const before = await containerNames();
    const { files } = await packageAndReceipt('req-wrong-key', 1024);
    const error = (await delivery
      .deliver('req-wrong-key', files)
      .catch((caught: unknown) => caught)) as EgressError;
    expect(error).toBeInstanceOf(EgressError);
    expect(error.transient).toBe(false);
    expect(error.message).toMatch(
      /refused creating container .* \(403 (AuthorizationFailure|AuthenticationFailed)\)/,
    );
    expect(error.message).toMatch(/check the Azure account key of destination 'researcher-blob'/);
    expect(error.message).not.toContain(wrongKey);
    expect(await containerNames()).toEqual(before);
  });

  it('refuses a SAS credential (read-only or expired alike) before uploading anything', async () => {
    const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    const sas = generateAccountSASQueryParameters(
      {
        permissions: AccountSASPermissions.parse('rl'),
        services: AccountSASServices.parse('b').toString(),
        resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
        expiresOn: new Date(Date.now() - 3_600_000),
        protocol: SASProtocol.HttpsAndHttp,
      },
      credential,
    ).toString();
    const connectionString = `BlobEndpoint=${azurite.blobEndpoint};SharedAccessSignature=${sas}`;
    const delivery = createAzureBlobDelivery('researcher-blob', destination, {
      repoRoot: work,
      secrets: { azureConnectionString: connectionString },
    });
    const before = await containerNames();
    const { files } = await packageAndReceipt('req-sas-credential', 1024);
    const error = (await delivery
      .deliver('req-sas-credential', files)
      .catch((caught: unknown) => caught)) as EgressError;
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(/carries a SharedAccessSignature; egress-gate needs the account key/);
    expect(error.message).toMatch(/nothing was uploaded/);
    expect(error.message).not.toContain(sas);
    expect(await containerNames()).toEqual(before);
  });
});
