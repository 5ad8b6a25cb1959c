import type { RepoConfig, WorkPackage } from '../manifest/config-types.js';
import type { CollectionKind, Manifest, Treatment } from '../manifest/types.js';

/** The resolution policy as data (`policies/*.yaml`); the engine hard-codes nothing it can say. */
export interface TierDefinition {
  tier: number;
  name: string;
  description: string;
}

export interface RoleDefinition {
  id: string;
  title: string;
}

export interface Policy {
  name: string;
  title: string;
  tiers: TierDefinition[];
  /** Roles whose tiers are counted (Turing: investigator, data-provider-representative, referee). */
  classifyingRoles: RoleDefinition[];
  /** The role that must merge (Turing: system-manager). */
  releasingRole: RoleDefinition;
  /** All equal and ≤ this tier → cleared. */
  releaseMaxTier: number;
  discussion: {
    /** Roles that must attend a discussion (ids). */
    requiredAttendees: string[];
    /** `highest`: a recorded no-agreement resolves to the highest proposed tier. */
    onNoAgreement: 'highest';
  };
  sensitive: {
    /** Effective tier at or above which the restrictions below apply. */
    fromTier: number;
    treatments: Treatment[];
    requireTreatmentPerItem: boolean;
    requireOriginalProvider: boolean;
    requireProviderNotification: boolean;
    encryptToProviderOnly: boolean;
  };
  preApproval: {
    allowed: boolean;
    /** Roles needed when the form does not name them. */
    defaultRoles: string[];
  };
  provenance: {
    /** Collection kinds that must carry a provenance record. */
    requiredFor: CollectionKind[];
  };
  generatedDatasets: {
    kinds: CollectionKind[];
    methods: string[];
    /** When true or absent, a generated dataset classified above its target tier is blocked. */
    requireTargetTier?: boolean;
  };
  disclosure: {
    minCellCount: number;
    maxFileBytes: number;
    /** Per rule (ids in `policy/disclosure-rules.ts`): on/off, threshold, severity; absent = defaults. */
    rules?: Record<string, DisclosureRuleSetting>;
  };
}

export type DisclosureSeverity = 'advice' | 'blocking';

export interface DisclosureRuleSetting {
  enabled?: boolean;
  severity?: DisclosureSeverity;
  threshold?: number;
  n?: number;
  acknowledgeable?: boolean;
}

/** A disclosure-risk finding as the policy sees it: computed from the outputs, passed in as data. */
export interface DisclosureFact {
  collection: string;
  rule: string;
  file: string;
  line: number;
  column: number;
  message: string;
  advice: string;
  acknowledged: boolean;
}

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING';

/** One review as the forge reports it, normalised across GitHub and Gitea. */
export interface Review {
  /** Forge id as a string; for reviews files, the 1-based position. */
  id: string;
  user: string;
  state: ReviewState;
  /** Commit the review was made on (full or abbreviated sha). */
  commit: string;
  body: string;
  submittedAt?: string;
  /** Gitea keeps `state: APPROVED` on dismissed reviews and flags them instead. */
  dismissed?: boolean;
  /** Gitea marks reviews made before a later push. */
  stale?: boolean;
}

/** Everything the engine needs, collected once; pure data so tests build it by hand. */
export interface PolicyFacts {
  policy: Policy;
  config: RepoConfig;
  workPackage: WorkPackage;
  manifest: Manifest;
  /** Who opened the pull request. */
  author: string;
  /** Current head commit; when absent, commits are not compared. */
  head?: string;
  /** Oldest first, as the forge lists them. */
  reviews: Review[];
  /** Who merged (release checks); absent during review. */
  merger?: string;
  /** Disclosure-risk findings on the outputs, when they were read; blocking rules use them. */
  findings?: DisclosureFact[];
}

/** Ordered: a later state is worse for the request (disapproval wins). */
export type CollectionState =
  | 'cleared'
  | 'awaiting-review'
  | 'needs-discussion'
  | 'changes-requested'
  | 'blocked';

export interface Classification {
  role: string;
  user: string;
  tier: number;
  reviewId: string;
  commit: string;
}

export type DismissalReason =
  | 'stale' // made on an older commit than the head
  | 'dismissed'
  | 'author' // the pull request's author cannot classify
  | 'no-role' // holds no classifying role in the work package
  | 'role-taken' // already counted for another role, or the role is already filled
  | 'superseded' // not the person's latest review
  | 'no-tier' // approving without a tier for this collection
  | 'invalid-tier' // malformed, out of range, unknown collection or conflicting tiers
  | 'not-approving'; // commented only

export interface IgnoredReview {
  reviewId: string;
  user: string;
  reason: DismissalReason;
  /** In words, e.g. "approved on 1a2b3c4, before the last push (head 5f3c9e1)". */
  detail: string;
}

export interface CollectionResult {
  name: string;
  state: CollectionState;
  /** Effective tier, when one can be decided. */
  tier?: number;
  classifications: Classification[];
  ignored: IgnoredReview[];
  /** Every decision in words: which role, which review, which rule. */
  reasons: string[];
  /** What is still needed, in words (empty when cleared). */
  missing: string[];
  /** Item paths that must not be delivered (treatment `remove`). */
  excludedItems: string[];
  /** Key file names the package must be encrypted to. */
  recipients: string[];
}

export interface PolicyResult {
  passed: boolean;
  /** Worst collection state (blocked > changes-requested > needs-discussion > awaiting-review > cleared). */
  state: CollectionState;
  /** Highest effective tier among collections, when all are decided. */
  tier?: number;
  collections: CollectionResult[];
  /** Request-level reasons (e.g. merger lacks the system-manager role). */
  reasons: string[];
}
