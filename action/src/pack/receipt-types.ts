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

export interface Receipt {
  receiptVersion: 1;
  request: { id: string; title: string; workPackage: string; requester: string };
  collection: { name: string; kind: string; destination: string };
  /** Effective tier the collection was released at. */
  tier: number;
  classifications: Classification[];
  discussion?: { date: string; outcome: 'agreed' | 'no-agreement' };
  files: ReceiptFile[];
  /** Items left out because their treatment is `remove`. */
  excluded: string[];
  /** Fingerprints (upper-case hex) of the keys the package is encrypted to. */
  recipients: string[];
  /** Fingerprint of the egress signing key. */
  signer: string;
  /** Head commit the classifications were made on, when known. */
  commit?: string;
  merger?: string;
  /** ISO 8601; fixed by the caller so that the same inputs give the same bytes. */
  createdAt: string;
  runUrl?: string;
  /** Present in the delivery receipt only (the archive cannot hash itself). */
  package?: { file: string; sha256: string; size: number };
  destination?: { name: string; kind: string; location: string };
}
