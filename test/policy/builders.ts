/** Plain-data builders for policy facts: the Turing default, one work package, one request. */
import type { RepoConfig, WorkPackage } from '../../action/src/manifest/config-types.js';
import type { Collection, Manifest } from '../../action/src/manifest/types.js';
import { getBuiltinPolicyText } from '../../action/src/policy/builtin-policies.js';
import { parsePolicy } from '../../action/src/policy/parse-policy.js';
import type { Policy, PolicyFacts, Review, ReviewState } from '../../action/src/policy/types.js';

export const HEAD = '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e';
export const OLD = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

// Parsed once per test file (schema compilation dominates); every caller gets its own copy.
const turing = parsePolicy(getBuiltinPolicyText('turing-dsh')!, 'turing-dsh.yaml');

export function turingPolicy(): Policy {
  if (!turing.policy) throw new Error(JSON.stringify(turing.diagnostics));
  return structuredClone(turing.policy);
}

export function buildConfig(): RepoConfig {
  return {
    policy: 'turing-dsh',
    outputsRoot: 'outputs',
    destinations: {
      'researcher-disk': { kind: 'physical', path: 'delivered/researcher' },
      'provider-disk': { kind: 'physical', path: 'delivered/provider' },
    },
  };
}

export function buildWorkPackage(overrides: Partial<WorkPackage> = {}): WorkPackage {
  return {
    id: 'dsg-2026',
    title: 'Data Study Group',
    tier: 3,
    roles: {
      investigator: ['alice'],
      'data-provider-representative': ['bob'],
      referee: ['carol'],
      'system-manager': ['dora'],
    },
    dataProvider: { name: 'Example NHS Trust', keys: ['data-provider.asc'], destinations: ['provider-disk'] },
    destinations: ['researcher-disk', 'provider-disk'],
    recipients: ['investigator.asc'],
    preApproved: [
      {
        id: 'summary-tables',
        description: 'Aggregate tables agreed at the initial classification',
        patterns: ['tables/**/*.csv'],
        tier: 1,
      },
    ],
    ...overrides,
  };
}

export function buildCollection(overrides: Partial<Collection> = {}): Collection {
  return {
    name: 'report-inputs',
    kind: 'report',
    description: 'Text and figures for the report',
    destination: 'researcher-disk',
    items: [
      { path: 'report/summary.md', sha256: 'a'.repeat(64), size: 10 },
      { path: 'report/figure-1.png', sha256: 'b'.repeat(64), size: 20 },
    ],
    ...overrides,
  };
}

export function buildManifest(collections: Collection[] = [buildCollection()]): Manifest {
  return {
    id: 'dsg-2026-final-egress',
    workPackage: 'dsg-2026',
    title: 'Final outputs',
    purpose: 'Finish the report',
    requester: 'erin',
    collections,
  };
}

/** Review ids are renumbered by position in `buildFacts`, as a reviews file numbers them. */
export function buildReview(
  user: string,
  state: ReviewState,
  body: string,
  extra: Partial<Review> = {},
): Review {
  return { id: '0', user, state, commit: HEAD, body, ...extra };
}

export const approve = (user: string, body: string, extra: Partial<Review> = {}) =>
  buildReview(user, 'APPROVED', body, extra);

/** The three Turing roles approving every collection at `tier`. */
export function threeApprovals(tier: number | [number, number, number]): Review[] {
  const [a, b, c] = typeof tier === 'number' ? [tier, tier, tier] : tier;
  return [approve('alice', `tier: ${a}`), approve('bob', `tier: ${b}`), approve('carol', `tier: ${c}`)];
}

export function buildFacts(overrides: Partial<PolicyFacts> = {}): PolicyFacts {
  const facts: PolicyFacts = {
    policy: turingPolicy(),
    config: buildConfig(),
    workPackage: buildWorkPackage(),
    manifest: buildManifest(),
    author: 'erin',
    head: HEAD,
    reviews: [],
    ...overrides,
  };
  return { ...facts, reviews: facts.reviews.map((r, i) => ({ ...r, id: String(i + 1) })) };
}

/** A complete tier ≥ 2 discussion for `collection`: all three roles, a treatment per item. */
export function sensitiveDiscussion(collection: Collection, outcome: 'agreed' | 'no-agreement' = 'agreed') {
  return {
    date: '2026-03-02',
    attendees: [
      { user: 'alice', role: 'investigator' },
      { user: 'bob', role: 'data-provider-representative' },
      { user: 'carol', role: 'referee' },
    ],
    outcome,
    treatments: collection.items.map((i) => ({ path: i.path, treatment: 'aggregate' as const })),
  };
}
