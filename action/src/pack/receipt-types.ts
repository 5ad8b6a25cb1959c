import type { Attendee, ItemTreatment } from '../manifest/types.js';
import type { Classification } from '../policy/types.js';

/**
 * What was packaged (inside the archive, as `RECEIPT.json`) and, once delivered, what went where
 * (beside the package, signed). Schema: `schemas/receipt.schema.json`.
 */
export interface ReceiptFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Where the classifications came from: the forge's reviews of a pull request (the action), or a
 * reviews file given to the CLI (`--reviews`), with the SHA-256 of its bytes when known.
 */
export type ReceiptEvidence =
  | {
      source: 'forge';
      pullRequest: number;
      url?: string;
      /** `github` or `gitea`. */
      forge?: string;
      /** Full id of the commit the pull request was merged as. */
      mergeCommit?: string;
      /** Full id of the commit the trusted configuration was read at. */
      configCommit?: string;
    }
  | { source: 'reviews-file'; path: string; sha256?: string };

/** The discussion as the manifest records it (the approvals on the head commit attest to it). */
export interface ReceiptDiscussion {
  date: string;
  outcome: 'agreed' | 'no-agreement';
  attendees: Attendee[];
  /** The treatment decided per item (tier ≥ 2). */
  treatments: ItemTreatment[];
  notes?: string;
}

/** For tier ≥ 2: the data provider's written notification, or the legal basis of the release. */
export interface ReceiptProviderNotification {
  reference?: string;
  date?: string;
  legalBasis?: string;
}

/** Chain of custody of a physical disk (mirrors `Custody` in `deliver/delivery.ts`). */
export interface ReceiptCustody {
  by: string;
  at: string;
  deviceLabel: string;
}

export interface ReceiptDestination {
  name: string;
  kind: string;
  location: string;
  /** Physical disks: who wrote the package onto which labelled device, when. */
  custody?: ReceiptCustody;
  /** Links (Azure SAS): when the recipient's read-only links expire (ISO 8601). */
  expiresAt?: string;
}

export interface Receipt {
  receiptVersion: 1;
  request: { id: string; title: string; workPackage: string; requester: string };
  collection: { name: string; kind: string; destination: string };
  /** Effective tier the collection was released at. */
  tier: number;
  /** Each counted classification; `commit` is the full id of the head commit it was made on. */
  classifications: Classification[];
  discussion?: ReceiptDiscussion;
  providerNotification?: ReceiptProviderNotification;
  files: ReceiptFile[];
  /** Items left out because their treatment is `remove`. */
  excluded: string[];
  /** Fingerprints (upper-case hex) of the keys the package is encrypted to. */
  recipients: string[];
  /** True when a passphrase can also open the package (never at tier ≥ 2). */
  passphrase: boolean;
  /** Fingerprint of the egress signing key (the one `.egress/config.yaml` names as `signingKey`). */
  signer: string;
  /** Full id of the head commit the classifications were made on. */
  commit: string;
  /** Forge login of who merged; holds the policy's releasing role. */
  merger: string;
  evidence: ReceiptEvidence;
  /** ISO 8601; fixed by the caller so that the same inputs give the same bytes. */
  createdAt: string;
  runUrl?: string;
  /** Present in the delivery receipt only (the archive cannot hash itself). */
  package?: { file: string; sha256: string; size: number };
  destination?: ReceiptDestination;
}
