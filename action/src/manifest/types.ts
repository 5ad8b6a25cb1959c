/**
 * The egress request manifest (`requests/<id>.yaml`) as the rest of the code sees it after
 * parsing and schema validation. Field names are the YAML keys (camelCase).
 */
export type CollectionKind =
  | 'report'
  | 'code'
  | 'figures'
  | 'derived-dataset'
  | 'generated-dataset'
  | 'summary-statistics'
  | 'other';

export type Treatment = 'pseudonymise' | 'aggregate' | 'remove';

export type GenerationMethod = 'anonymisation' | 'pseudonymisation' | 'synthetic';

/** One output file, pinned. Paths are POSIX, relative to the outputs root. */
export interface Item {
  path: string;
  /** Lower-case hex SHA-256 of the file; absent until `egress-gate lock` fills it in. */
  sha256?: string;
  /** Bytes; absent until locked. */
  size?: number;
  description?: string;
  /** What this table is; with it the disclosure checks are exact, without it they infer. */
  table?: TableDeclaration;
  /**
   * A directory item whose files are pinned in a listing file (`sha256sum` format) instead of the
   * manifest. `validateRequest` replaces such an item by one item per listed file, so the rest of
   * the code only ever sees files.
   */
  listing?: Listing;
}

/** Columns by their header names; undeclared columns are the table's categories. */
export interface TableDeclaration {
  counts?: string[];
  /** Base every count was rounded to. */
  roundedTo?: number;
  magnitudes?: MagnitudeDeclaration[];
  identifiers?: string[];
  dates?: string[];
  residualDegreesOfFreedom?: number;
}

export interface MagnitudeDeclaration {
  column: string;
  statistic?: 'sum' | 'mean' | 'median';
  /** Column with the number of contributors to each cell. */
  contributors?: string;
  /** Columns with the largest contributions, largest first. */
  largest?: string[];
}

/** A disclosure finding the requester explains; it stays visible as acknowledged. */
export interface Acknowledgement {
  rule: string;
  /** Item path relative to the outputs root. */
  file: string;
  line?: number;
  /** `C3` for a table cell, a number for a notebook cell. */
  cell?: string;
  reason: string;
}

/** Where a directory item's per-file pins are kept, and that file's own pin. */
export interface Listing {
  /** Repository path, `requests/<id>/<collection>/<directory>.sha256`. */
  file: string;
  /** SHA-256 of the listing file. */
  sha256: string;
  /** Number of files listed. */
  files: number;
  /** Their total size in bytes. */
  bytes: number;
}

/** How an output can be regenerated (seeds: "ideally fully reproducible"). */
export interface Provenance {
  /** Item paths (relative to the outputs root) of the code that produced the outputs. */
  code: string[];
  /** The command that regenerates them. */
  command: string;
  /** Inputs in words (e.g. "work package dsg-2026-03 raw extract v2"). */
  inputs?: string;
}

/** For generated (anonymised, pseudonymised or synthetic) datasets. */
export interface GenerationRecord {
  method: GenerationMethod;
  /** The generating script, pinned like an item. */
  script: Item;
  /** Why the requester believes the script produces data of the target tier. */
  justification: string;
  /** The structure of the data, in enough detail for reviewers to understand the script. */
  structure: string;
  /** Tier of the downstream environment the data is meant for. */
  targetTier: number;
}

export interface Attendee {
  user: string;
  role: string;
}

export interface ItemTreatment {
  path: string;
  treatment: Treatment;
  note?: string;
}

/** The face-to-face discussion, recorded so that the approvals on this commit attest to it. */
export interface DiscussionRecord {
  /** ISO date (YYYY-MM-DD). */
  date: string;
  attendees: Attendee[];
  outcome: 'agreed' | 'no-agreement';
  notes?: string;
  /** For tier ≥ 2 collections: the treatment decided for each item. */
  treatments?: ItemTreatment[];
}

/** For returning tier ≥ 2 material: the data provider's written notification, or a legal basis. */
export interface ProviderNotification {
  reference?: string;
  /** ISO date (YYYY-MM-DD). */
  date?: string;
  /** Where release is to comply with law instead of to the original provider. */
  legalBasis?: string;
}

export interface Collection {
  /** Slug used in review bodies (`tier report-inputs: 1`): lower-case letters, digits, hyphens. */
  name: string;
  kind: CollectionKind;
  description: string;
  /** Name of a destination in `.egress/config.yaml`. */
  destination: string;
  /** Id of a pre-approved output form in the work package. */
  preApproval?: string;
  items: Item[];
  provenance?: Provenance;
  generation?: GenerationRecord;
  discussion?: DiscussionRecord;
  providerNotification?: ProviderNotification;
}

export interface Manifest {
  /** Equals the file name without `.yaml`. */
  id: string;
  /** Id of a work package in `.egress/work-packages/`. */
  workPackage: string;
  title: string;
  purpose: string;
  /** Forge login of the researcher making the request. */
  requester: string;
  collections: Collection[];
  /** Disclosure findings acknowledged by the requester, each with a reason. */
  acknowledged?: Acknowledgement[];
}
