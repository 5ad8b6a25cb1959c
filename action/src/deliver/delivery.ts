/**
 * The port every destination implements. A delivery is a set of files (the encrypted package and
 * its signed receipt) that must appear at the destination completely or not at all.
 */
export interface DeliveryFile {
  /** Local path of the file to send. */
  localPath: string;
  /** Name at the destination (no directories). */
  remoteName: string;
  /** Lower-case hex SHA-256 of the file, checked at the destination before it becomes visible. */
  sha256: string;
  size: number;
}

export interface DeliveryResult {
  /** Where the recipient finds the files, in words they can use (a path, an sftp URL, a SAS link's base). */
  location: string;
  /** True when every file was already there with the same hash: a re-run changed nothing. */
  alreadyDelivered: boolean;
}

export interface Delivery {
  readonly kind: string;
  deliver(folder: string, files: readonly DeliveryFile[]): Promise<DeliveryResult>;
}
