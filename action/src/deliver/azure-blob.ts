/**
 * Azure Blob storage: one private container per request (`<containerPrefix>-<request id>`), one
 * block blob per file, committed atomically only after every block arrived and the bytes read hash
 * to the pin. The recipient gets one read-only, expiring SAS URL per blob (account-key SAS).
 */
import { createHash } from 'node:crypto';
import { BlobSASPermissions, type ContainerClient, SASProtocol } from '@azure/storage-blob';
import type { AzureBlobDestination } from '../manifest/config-types.js';
import { EgressError } from '../shared/errors.js';
import {
  type AzureConnection,
  type AzureRetry,
  connectAzure,
  containerNameFor,
  defaultAzureRetry,
} from './azure/connect.js';
import { statusOf, translateAzureError } from './azure/errors.js';
import { type StagedUploadOptions, uploadStaged } from './azure/staged-upload.js';
import {
  type Delivery,
  type DeliveryContext,
  type DeliveryFile,
  type DeliveryResult,
  type RemoteFile,
  refuseUnlessPending,
} from './delivery.js';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const hourMs = 3_600_000;

/** Knobs for tests and the bench; production uses the defaults. */
export interface AzureBlobOptions {
  retry?: AzureRetry;
  blockSize?: number;
  concurrency?: number;
  /** Where blocks are hashed: a worker thread (default) or the event loop (the bench compares). */
  hashing?: 'worker' | 'inline';
  /** Called for every block actually sent, so tests can see what a resumed run re-sends. */
  onBlockStaged?: (remoteName: string, index: number, bytes: number) => void;
}

interface ExistingBlob {
  size: number;
  sha256: string | undefined;
}

export function createAzureBlobDelivery(
  name: string,
  destination: AzureBlobDestination,
  context: DeliveryContext,
  options: AzureBlobOptions = {},
): Delivery {
  let connection: AzureConnection | undefined;
  const connect = () => {
    connection ??= connectAzure(name, destination, context.secrets, options.retry ?? defaultAzureRetry);
    return connection;
  };
  const now = context.now ?? (() => new Date());

  function containerFor(folder: string): ContainerClient {
    if (!SAFE_NAME.test(folder)) throw new EgressError('INPUT', `unsafe delivery folder name '${folder}'`);
    return connect().service.getContainerClient(containerNameFor(destination.containerPrefix, folder));
  }

  async function existing(container: ContainerClient, remoteName: string): Promise<ExistingBlob | undefined> {
    try {
      const properties = await container.getBlockBlobClient(remoteName).getProperties();
      return { size: properties.contentLength ?? 0, sha256: properties.metadata?.['sha256'] };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw translateAzureError(error, `reading ${container.url}/${remoteName}`, connect().secretHint);
    }
  }

  /**
   * Whether a blob we did not just commit holds exactly this content. Its `sha256` metadata is
   * whatever its writer set, and the pending receipt publishes the hash before the package
   * exists, so matching metadata is only the cheap first test: the bytes are read and hashed.
   */
  async function holdsContent(
    container: ContainerClient,
    file: RemoteFile,
    found: ExistingBlob,
  ): Promise<boolean> {
    if (found.sha256 !== file.sha256 || found.size !== file.size) return false;
    const where = `${container.url}/${file.remoteName}`;
    try {
      const response = await container.getBlobClient(file.remoteName).download(0);
      const hash = createHash('sha256');
      for await (const chunk of response.readableStreamBody ?? []) hash.update(chunk as Buffer);
      return hash.digest('hex') === file.sha256;
    } catch (error) {
      throw translateAzureError(error, `reading ${where}`, connect().secretHint);
    }
  }

  /** A blob already under the final name: the same package (a re-run), or a refusal. */
  async function judge(container: ContainerClient, file: DeliveryFile, found: ExistingBlob): Promise<void> {
    if (await holdsContent(container, file, found)) return;
    throw new EgressError(
      'DELIVERY',
      `${container.url}/${file.remoteName} already exists with different content (${found.size} bytes, not this file's ${file.size} bytes with sha256 ${file.sha256}; its bytes, not its metadata, decide); a delivered request is never overwritten`,
    );
  }

  async function send(
    container: ContainerClient,
    file: DeliveryFile,
    onProgress: StagedUploadOptions['onProgress'],
  ): Promise<void> {
    const blob = container.getBlockBlobClient(file.remoteName);
    const where = `${container.url}/${file.remoteName}`;
    const { onBlockStaged } = options;
    const result = await uploadStaged(blob, file, {
      blockSize: options.blockSize,
      concurrency: options.concurrency,
      hashing: options.hashing,
      contentType: file.remoteName.endsWith('.asc')
        ? 'text/plain; charset=utf-8'
        : 'application/octet-stream',
      onProgress,
      onBlockStaged: onBlockStaged && ((index, bytes) => onBlockStaged(file.remoteName, index, bytes)),
    }).catch((error: unknown) => {
      throw translateAzureError(error, `uploading ${where}`, connect().secretHint);
    });
    if (result.reusedBlocks > 0) {
      context.log?.(
        `${file.remoteName}: resumed, ${result.reusedBlocks} of ${result.totalBlocks} blocks were already staged`,
      );
    }
    const found = await existing(container, file.remoteName);
    if (!found)
      throw new EgressError('DELIVERY', `${where} is missing right after its commit`, { transient: true });
    if (result.outcome === 'exists') {
      await judge(container, file, found);
      return;
    }
    if (found.size !== file.size || found.sha256 !== file.sha256) {
      throw new EgressError(
        'INTEGRITY',
        `${where} has ${found.size} bytes and sha256 ${found.sha256 ?? 'not recorded'} after its commit, expected ${file.size} bytes and ${file.sha256}`,
      );
    }
  }

  async function accessUrls(container: ContainerClient, files: readonly Pick<DeliveryFile, 'remoteName'>[]) {
    const expiresOn = new Date(now().getTime() + destination.sasExpiryHours * hourMs);
    const protocol = connect().insecureEndpoint ? SASProtocol.HttpsAndHttp : SASProtocol.Https;
    return Promise.all(
      files.map(async (file) => ({
        remoteName: file.remoteName,
        url: await container.getBlobClient(file.remoteName).generateSasUrl({
          permissions: BlobSASPermissions.parse('r'),
          expiresOn,
          protocol,
        }),
        expiresAt: expiresOn.toISOString(),
      })),
    );
  }

  return {
    kind: 'azure-blob',
    async readExisting(folder, remoteName, maxBytes) {
      if (!SAFE_NAME.test(folder) || !SAFE_NAME.test(remoteName)) return undefined;
      const container = containerFor(folder);
      const found = await existing(container, remoteName);
      if (!found) return undefined;
      if (found.size > maxBytes) {
        throw new EgressError(
          'DELIVERY',
          `${container.url}/${remoteName} has ${found.size} bytes, more than a receipt (${maxBytes}); it was left as it is`,
        );
      }
      try {
        const bytes = await container.getBlobClient(remoteName).downloadToBuffer(0, found.size);
        return bytes.toString('utf8');
      } catch (error) {
        throw translateAzureError(error, `reading ${container.url}/${remoteName}`, connect().secretHint);
      }
    },
    async deliver(folder, files, onProgress): Promise<DeliveryResult> {
      for (const file of files) {
        if (!SAFE_NAME.test(file.remoteName)) {
          throw new EgressError('INPUT', `unsafe file name '${file.remoteName}' for a delivery`);
        }
      }
      const container = containerFor(folder);
      try {
        await container.createIfNotExists();
      } catch (error) {
        throw translateAzureError(error, `creating container ${container.url}`, connect().secretHint);
      }
      let already = 0;
      for (const file of files) {
        const found = await existing(container, file.remoteName);
        if (found) {
          await judge(container, file, found);
          already += 1;
          onProgress?.(file.remoteName, file.size, file.size);
          continue;
        }
        await send(container, file, (sent, total) => onProgress?.(file.remoteName, sent, total));
      }
      return {
        location: container.url,
        alreadyDelivered: already === files.length,
        accessUrls: await accessUrls(container, files),
      };
    },
    async accessLinks(folder, remoteNames) {
      return accessUrls(
        containerFor(folder),
        remoteNames.map((remoteName) => ({ remoteName })),
      );
    },
    async holds(folder, file) {
      if (!SAFE_NAME.test(file.remoteName)) {
        throw new EgressError('INPUT', `unsafe file name '${file.remoteName}' at a destination`);
      }
      const container = containerFor(folder);
      const found = await existing(container, file.remoteName);
      if (!found) return 'absent';
      return (await holdsContent(container, file, found)) ? 'same' : 'different';
    },
    async removePending(folder, remoteName) {
      refuseUnlessPending(remoteName);
      if (!SAFE_NAME.test(remoteName)) {
        throw new EgressError('INPUT', `unsafe file name '${remoteName}' at a destination`);
      }
      const container = containerFor(folder);
      try {
        await container.getBlockBlobClient(remoteName).deleteIfExists();
      } catch (error) {
        if (statusOf(error) === 404) return;
        throw translateAzureError(error, `removing ${container.url}/${remoteName}`, connect().secretHint);
      }
    },
    async close() {},
  };
}
