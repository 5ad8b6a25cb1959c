/**
 * The port every destination implements. A delivery is a set of files (the encrypted package and
 * its signed receipt) that must appear at the destination completely or not at all.
 */
import type { Destination } from '../manifest/config-types.js';
import { EgressError } from '../shared/errors.js';

export interface DeliveryFile {
  /** Local path of the file to send. */
  localPath: string;
  /** Name at the destination (no directories). */
  remoteName: string;
  /** Lower-case hex SHA-256 of the file, checked at the destination before it becomes visible. */
  sha256: string;
  size: number;
}

/** A file at the destination, named and pinned, without a local copy. */
export type RemoteFile = Omit<DeliveryFile, 'localPath'>;

const PENDING_RECEIPT = '.receipt.pending.asc';

/**
 * The signed receipt goes first under this name, the package next, and the receipt last under its
 * final name: a run killed between the package and its receipt leaves the package provably ours
 * (the pending receipt is signed and names its hash), so the next run completes the delivery.
 */
export function pendingReceiptNameOf(packageFile: string): string {
  return `${packageFile}${PENDING_RECEIPT}`;
}

export function isPendingReceiptName(remoteName: string): boolean {
  return remoteName.endsWith(PENDING_RECEIPT) && remoteName.length > PENDING_RECEIPT.length;
}

/** What every adapter's `removePending` checks first: it never removes anything else. */
export function refuseUnlessPending(remoteName: string): void {
  if (!isPendingReceiptName(remoteName)) {
    throw new EgressError(
      'INTERNAL',
      `'${remoteName}' is not a pending receipt; a delivered file is never removed`,
    );
  }
}

/** Chain of custody for a physical disk (who wrote it, when, onto which labelled device). */
export interface Custody {
  by: string;
  at: string;
  deviceLabel: string;
}

export interface DeliveryResult {
  /** Where the recipient finds the files, in words they can use (a path, an sftp URL, a blob URL without any token). */
  location: string;
  /** True when every file was already there with the same hash: a re-run changed nothing. */
  alreadyDelivered: boolean;
  /**
   * Secret links for the recipient (Azure: one read-only, expiring SAS URL per delivered file,
   * each scoped to that one blob). Never logged or posted in clear: the release encrypts them to
   * the recipients' keys.
   */
  accessUrls?: { remoteName: string; url: string; expiresAt: string }[];
  custody?: Custody;
}

export type DeliveryProgress = (file: string, sentBytes: number, totalBytes: number) => void;

export interface Delivery {
  readonly kind: string;
  /**
   * Text of a small file that is already complete under its final name at the destination (a
   * previously delivered signed receipt), or undefined when absent. Files larger than `maxBytes`
   * are refused. Used to judge a re-run by the receipt's content, not by ciphertext bytes.
   */
  readExisting(folder: string, remoteName: string, maxBytes: number): Promise<string | undefined>;
  /**
   * Sends the files in order under temporary names, verifies each (size, and hash where the
   * destination can), and only then makes it visible under its final name. Resumes a partial
   * upload left by an interrupted run. Transient failures surface as `EgressError` with
   * `transient: true` once the adapter's own retries are exhausted.
   */
  deliver(
    folder: string,
    files: readonly DeliveryFile[],
    onProgress?: DeliveryProgress,
  ): Promise<DeliveryResult>;
  /**
   * Fresh access links for files already delivered, for destinations that hand links out (Azure);
   * absent elsewhere. Used when a run completes a delivery whose links were never posted.
   */
  accessLinks?(folder: string, remoteNames: readonly string[]): Promise<DeliveryResult['accessUrls']>;
  /**
   * What the destination holds under a final name, without changing anything: exactly this
   * content (`same`), nothing (`absent`), or something else (`different`). A size that no file
   * has (-1) asks only whether anything is there, without reading it.
   */
  holds(folder: string, file: RemoteFile): Promise<'absent' | 'same' | 'different'>;
  /**
   * Removes a pending receipt (a name `isPendingReceiptName` accepts; any other name is refused,
   * so no package or delivered receipt can be removed this way). A missing file is not an error.
   */
  removePending(folder: string, remoteName: string): Promise<void>;
  /** Releases connections; safe to call more than once. */
  close(): Promise<void>;
}

/** Credentials for destinations, from action secrets or the CLI's environment; never printed. */
export interface DestinationSecrets {
  /** Azure Storage connection string (`DefaultEndpointsProtocol=…;AccountKey=…`). */
  azureConnectionString?: string;
  /** Azure Storage account key (base64), used with the destination's `account`. */
  azureAccountKey?: string;
  /** OpenSSH private key (PEM/OpenSSH format) for sftp destinations. */
  sftpPrivateKey?: string;
  sftpPrivateKeyPassphrase?: string;
}

export interface DeliveryContext {
  /** Anchors relative physical paths. */
  repoRoot: string;
  secrets: DestinationSecrets;
  /** Who performs the delivery (the merger / system manager), for the chain of custody. */
  actor?: string;
  now?: () => Date;
  log?: (message: string) => void;
}

/** How the release flow obtains adapters: injected, so the app layer never builds its own. */
export type CreateDelivery = (name: string, destination: Destination, context: DeliveryContext) => Delivery;
