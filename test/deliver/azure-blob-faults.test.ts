import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureBlobDelivery } from '../../action/src/deliver/azure-blob.js';
import type { DeliveryFile } from '../../action/src/deliver/delivery.js';
import type { AzureBlobDestination } from '../../action/src/manifest/config-types.js';
import { EgressError } from '../../action/src/shared/errors.js';
import { startAzurite } from './azurite-fixture.js';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const MiB = 1024 * 1024;
const fastRetry = { maxTries: 2, retryDelayInMs: 20, maxRetryDelayInMs: 50 };

/** The block index our ids carry (`00012-<md5>`, base64). */
const indexOf = (blockId: string) => Number(Buffer.from(blockId, 'base64').toString().slice(0, 5));

describe('azure-blob delivery when the server dies mid-upload', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'egress-azure-faults-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function source(name: string, content: Buffer | string): Promise<DeliveryFile> {
    const localPath = join(work, name);
    await writeFile(localPath, content);
    return { localPath, remoteName: name, sha256: sha(content), size: Buffer.byteLength(content) };
  }

  it('killed five times in a row: each re-run sends only missing blocks, and one verified blob appears at the end', async () => {
    await using azurite = await startAzurite({ onDisk: true });
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const destination: AzureBlobDestination = {
      kind: 'azure-blob',
      account: azurite.blobEndpoint,
      containerPrefix: 'egress',
      sasExpiryHours: 24,
    };
    const blocks = 40;
    const data = randomBytes(blocks * MiB);
    const files = [
      await source('req-faults-report.tar.gpg', data),
      await source('req-faults-report.receipt.asc', '{"request":"req-faults"}\n'),
    ];
    const container = service.getContainerClient('egress-req-faults');
    const packageBlob = container.getBlockBlobClient(files[0]!.remoteName);
    const visible = async () => {
      const names: string[] = [];
      for await (const blob of container.listBlobsFlat()) names.push(blob.name);
      return names.sort();
    };
    const stagedIndices = async () =>
      new Set(
        ((await packageBlob.getBlockList('uncommitted')).uncommittedBlocks ?? []).map((block) =>
          indexOf(block.name),
        ),
      );

    const attempt = (killAfter: number | undefined, sent: number[], logs: string[]) =>
      createAzureBlobDelivery(
        'researcher-blob',
        destination,
        {
          repoRoot: work,
          secrets: { azureConnectionString: azurite.connectionString },
          log: (m) => logs.push(m),
        },
        {
          retry: fastRetry,
          blockSize: MiB,
          concurrency: 2,
          onBlockStaged: (name, index) => {
            if (name !== files[0]!.remoteName) return;
            sent.push(index);
            // The server goes away while more blocks are in flight. SIGTERM: Azurite drops every
            // connection but keeps the blocks it acknowledged, as Azure does; a SIGKILL would also
            // lose up to 5 s of them (its metadata autosave), which no real account does.
            if (sent.length === killAfter) void azurite.kill('SIGTERM');
          },
        },
      ).deliver('req-faults', files);

    let before = new Set<number>();
    let totalSent = 0;
    for (let kill = 1; kill <= 5; kill += 1) {
      const sent: number[] = [];
      const error = await attempt(5, sent, []).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EgressError);
      expect((error as EgressError).transient).toBe(true);
      expect((error as EgressError).message).toMatch(/retry the job/);
      await azurite.restart();

      // Resumed, not restarted: nothing this run sent had been staged by an earlier run.
      expect(sent.filter((index) => before.has(index))).toEqual([]);
      const after = await stagedIndices();
      expect(after.size).toBeGreaterThan(before.size);
      for (const index of before) expect(after.has(index)).toBe(true);
      // Nothing partial under a final name.
      expect(await visible()).toEqual([]);
      totalSent += sent.length;
      before = after;
    }

    const sent: number[] = [];
    const logs: string[] = [];
    const result = await attempt(undefined, sent, logs);
    expect(result.alreadyDelivered).toBe(false);
    expect(sent.filter((index) => before.has(index))).toEqual([]);
    expect(sent.length).toBe(blocks - before.size);
    expect(logs).toContain(
      `${files[0]!.remoteName}: resumed, ${before.size} of ${blocks} blocks were already staged`,
    );
    totalSent += sent.length;
    // Each interrupted run lost at most the blocks it had in flight.
    expect(totalSent).toBeLessThanOrEqual(blocks + 5 * 2);

    expect(await visible()).toEqual(files.map((file) => file.remoteName).sort());
    expect(sha(await packageBlob.downloadToBuffer())).toBe(files[0]!.sha256);
    expect((await packageBlob.getProperties()).metadata?.['sha256']).toBe(files[0]!.sha256);
    expect(((await packageBlob.getBlockList('committed')).committedBlocks ?? []).length).toBe(blocks);
  }, 240_000);
});
