/**
 * From a destination and its secret to an authenticated `BlobServiceClient`, and from a request id
 * to its container. The credential must carry the account key: it signs the recipient's read-only
 * SAS link, which a SAS credential cannot do.
 */
import { createHash } from 'node:crypto';
import {
  BlobServiceClient,
  type StoragePipelineOptions,
  StorageRetryPolicyType,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import type { AzureBlobDestination } from '../../manifest/config-types.js';
import { EgressError } from '../../shared/errors.js';
import type { DestinationSecrets } from '../delivery.js';

/** The SDK's own exponential retry policy; tests shorten it. */
export interface AzureRetry {
  maxTries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
}

/** Waits 0, 2, 6, 14, 30 s between six tries: about a minute before a failure is reported. */
export const defaultAzureRetry: AzureRetry = {
  maxTries: 6,
  retryDelayInMs: 2_000,
  maxRetryDelayInMs: 60_000,
};

export interface AzureConnection {
  service: BlobServiceClient;
  accountName: string;
  /** Which secret authenticated, in words, for messages that tell the user what to check. */
  secretHint: string;
  /** True when the endpoint is plain http (Azurite): the recipient's SAS must then allow http. */
  insecureEndpoint: boolean;
}

function accountOf(account: string): { url: string; name: string } {
  if (!/^https?:\/\//i.test(account)) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) {
      throw new EgressError(
        'CONFIG',
        `azure-blob account '${account}' is neither a storage account name (3-24 lower-case letters and digits) nor a blob service URL`,
      );
    }
    return { url: `https://${account}.blob.core.windows.net`, name: account };
  }
  const url = new URL(account);
  const hostName = /^([a-z0-9]{3,24})\.blob\./.exec(url.hostname)?.[1];
  // Path-style endpoints (Azurite, some private endpoints) name the account in the first segment.
  const name = hostName ?? url.pathname.split('/').find((segment) => segment !== '');
  if (!name) {
    throw new EgressError('CONFIG', `azure-blob account URL '${account}' does not name a storage account`);
  }
  return { url: account.replace(/\/+$/, ''), name };
}

export function connectAzure(
  destinationName: string,
  destination: AzureBlobDestination,
  secrets: DestinationSecrets,
  retry: AzureRetry,
): AzureConnection {
  const options: StoragePipelineOptions = {
    retryOptions: { retryPolicyType: StorageRetryPolicyType.EXPONENTIAL, ...retry },
    userAgentOptions: { userAgentPrefix: 'egress-gate' },
  };
  const configured = accountOf(destination.account);
  let service: BlobServiceClient;
  let secretHint: string;
  if (secrets.azureConnectionString) {
    secretHint = `the Azure connection string of destination '${destinationName}'`;
    if (/(^|;)\s*SharedAccessSignature\s*=/i.test(secrets.azureConnectionString)) {
      throw new EgressError(
        'CONFIG',
        `${secretHint} carries a SharedAccessSignature; egress-gate needs the account key (AccountKey=…) to sign the recipient's read-only link. Give a connection string with AccountKey, or the account key itself; nothing was uploaded`,
      );
    }
    try {
      service = BlobServiceClient.fromConnectionString(secrets.azureConnectionString, options);
    } catch {
      // The SDK's message may quote the string; say only what is wrong with it.
      throw new EgressError(
        'CONFIG',
        `${secretHint} is not a valid Azure Storage connection string (expected DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…); nothing was uploaded`,
      );
    }
    if (!(service.credential instanceof StorageSharedKeyCredential)) {
      throw new EgressError(
        'CONFIG',
        `${secretHint} has no AccountKey; egress-gate needs the account key to sign the recipient's read-only link; nothing was uploaded`,
      );
    }
    if (service.accountName !== configured.name) {
      throw new EgressError(
        'CONFIG',
        `${secretHint} is for storage account '${service.accountName}', but the destination names '${configured.name}'; give the secret of the configured account; nothing was uploaded`,
      );
    }
  } else if (secrets.azureAccountKey) {
    secretHint = `the Azure account key of destination '${destinationName}' (account '${configured.name}')`;
    let credential: StorageSharedKeyCredential;
    try {
      credential = new StorageSharedKeyCredential(configured.name, secrets.azureAccountKey);
    } catch {
      throw new EgressError('CONFIG', `${secretHint} is not a base64 account key; nothing was uploaded`);
    }
    service = new BlobServiceClient(configured.url, credential, options);
  } else {
    throw new EgressError(
      'CONFIG',
      `destination '${destinationName}' (azure-blob, account '${configured.name}') needs an Azure connection string or account key secret; nothing was uploaded`,
    );
  }
  return {
    service,
    accountName: configured.name,
    secretHint,
    insecureEndpoint: service.url.startsWith('http:'),
  };
}

const CONTAINER = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * `<containerPrefix>-<request id>`, lower-cased. When that is not a valid container name (over 63
 * characters, or a doubled hyphen), the valid part is shortened and followed by the first 10 hex
 * digits of the SHA-256 of the full name, so different requests never share a container.
 */
export function containerNameFor(prefix: string, requestId: string): string {
  const wanted = `${prefix}-${requestId}`.toLowerCase();
  if (CONTAINER.test(wanted)) return wanted;
  const suffix = createHash('sha256').update(wanted).digest('hex').slice(0, 10);
  const cleaned = wanted
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63 - suffix.length - 1)
    .replace(/-+$/, '');
  return `${cleaned || 'egress'}-${suffix}`;
}
