/**
 * The trusted configuration under `.egress/`: read from the base commit, never from the PR head.
 */
export interface AzureBlobDestination {
  kind: 'azure-blob';
  /** Storage account name, or a full blob service URL (e.g. Azurite's). */
  account: string;
  /** Each request is delivered into its own container, `<containerPrefix>-<request id>`. */
  containerPrefix: string;
  /** Lifetime of the read-only SAS link handed to the recipient. */
  sasExpiryHours: number;
  description?: string;
}

export interface SftpDestination {
  kind: 'sftp';
  host: string;
  port: number;
  user: string;
  remoteDir: string;
  /** OpenSSH form `SHA256:<base64>`; required: an unpinned host key is refused. */
  hostKeyFingerprint: string;
  description?: string;
}

export interface PhysicalDestination {
  kind: 'physical';
  /** A mounted path; relative paths are relative to the repository root. */
  path: string;
  /**
   * The label written on the device (e.g. `TRE-DISK-0042`), recorded in the chain of custody
   * with who wrote it and when; the mounted path is recorded when absent.
   */
  deviceLabel?: string;
  description?: string;
}

export type Destination = AzureBlobDestination | SftpDestination | PhysicalDestination;

export interface RepoConfig {
  /** A built-in policy name (`turing-dsh`) or a path relative to the repository root. */
  policy: string;
  /** Directory holding the outputs, relative to the repository root. */
  outputsRoot: string;
  /**
   * File name under `.egress/keys/` of the egress signing key's public half; packages must be
   * signed by that key. Required to pack.
   */
  signingKey?: string;
  destinations: Record<string, Destination>;
}

/** A form of output agreed at the initial classification (seeds: "this re-classification may be pre-approved"). */
export interface PreApprovedForm {
  id: string;
  description: string;
  /** Glob patterns (relative to the outputs root) every item of the collection must match. */
  patterns: string[];
  /** Maximum tier this form may be released at. */
  tier: number;
  /** Roles whose classification is still required; the policy's default applies when absent. */
  roles?: string[];
}

export interface DataProvider {
  name: string;
  /** Key file names under `.egress/keys/`. */
  keys: string[];
  /** Destinations that reach the original data provider (required for tier ≥ 2). */
  destinations: string[];
  contact?: string;
}

export interface WorkPackage {
  id: string;
  title: string;
  /** Tier of the original classification. */
  tier: number;
  /** Role id (as the policy names it) → forge logins. */
  roles: Record<string, string[]>;
  dataProvider: DataProvider;
  /** Destinations this work package may use. */
  destinations: string[];
  /** Key file names under `.egress/keys/` that tier ≤ 1 packages are encrypted to. */
  recipients: string[];
  preApproved?: PreApprovedForm[];
}
