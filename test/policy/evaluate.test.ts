import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../action/src/policy/evaluate.js';
import type { CollectionState, DismissalReason, PolicyFacts } from '../../action/src/policy/types.js';
import {
  approve,
  buildCollection,
  buildFacts,
  buildManifest,
  buildReview,
  buildWorkPackage,
  HEAD,
  OLD,
  sensitiveDiscussion,
  threeApprovals,
} from './builders.js';

interface Case {
  name: string;
  facts: PolicyFacts;
  state: CollectionState;
  tier?: number;
  /** [review position (1-based), reason] of every review that does not count. */
  ignored?: [string, DismissalReason][];
  reasons?: RegExp[];
  missing?: RegExp[];
  counted?: [string, string, number][];
}

const sensitiveCollection = buildCollection({
  name: 'handover',
  kind: 'report',
  destination: 'provider-disk',
});
const sensitiveReady = buildCollection({
  ...sensitiveCollection,
  discussion: sensitiveDiscussion(sensitiveCollection),
  providerNotification: { reference: 'NHS-2026-114', date: '2026-03-03' },
});

const cases: Case[] = [
  {
    name: 'no reviews: awaiting every role',
    facts: buildFacts(),
    state: 'awaiting-review',
    missing: [/investigator \(@alice\)/, /data provider representative \(@bob\)/, /referee \(@carol\)/],
  },
  {
    name: 'three equal tier-1 approvals on the head: cleared at 1',
    facts: buildFacts({ reviews: threeApprovals(1) }),
    state: 'cleared',
    tier: 1,
    counted: [
      ['investigator', 'alice', 1],
      ['data-provider-representative', 'bob', 1],
      ['referee', 'carol', 1],
    ],
    reasons: [
      /referee @carol classified tier 1 \(review #3 on 5f3c9e1\)/,
      /cleared at tier 1 on head 5f3c9e1/,
    ],
  },
  {
    name: 'abbreviated review commit matches the full head by prefix',
    facts: buildFacts({ reviews: threeApprovals(0).map((r) => ({ ...r, commit: HEAD.slice(0, 7) })) }),
    state: 'cleared',
    tier: 0,
  },
  {
    name: 'stale: approved before the last push',
    facts: buildFacts({
      reviews: [...threeApprovals(1).slice(0, 2), approve('carol', 'tier: 1', { commit: OLD })],
    }),
    state: 'awaiting-review',
    ignored: [['3', 'stale']],
  },
  {
    name: "stale: Gitea's stale flag",
    facts: buildFacts({
      reviews: [...threeApprovals(1).slice(0, 2), approve('carol', 'tier: 1', { stale: true })],
    }),
    state: 'awaiting-review',
    ignored: [['3', 'stale']],
  },
  {
    name: 'dismissed: state DISMISSED',
    facts: buildFacts({
      reviews: [...threeApprovals(1).slice(0, 2), buildReview('carol', 'DISMISSED', 'tier: 1')],
    }),
    state: 'awaiting-review',
    ignored: [['3', 'dismissed']],
  },
  {
    name: "dismissed: Gitea's dismissed flag on an APPROVED review",
    facts: buildFacts({
      reviews: [...threeApprovals(1).slice(0, 2), approve('carol', 'tier: 1', { dismissed: true })],
    }),
    state: 'awaiting-review',
    ignored: [['3', 'dismissed']],
  },
  {
    name: 'a dismissal withdraws the same person’s earlier approval too',
    facts: buildFacts({ reviews: [...threeApprovals(1), buildReview('carol', 'DISMISSED', 'tier: 1')] }),
    state: 'awaiting-review',
    ignored: [
      ['3', 'superseded'],
      ['4', 'dismissed'],
    ],
  },
  {
    name: "author: the pull request's author never counts, even holding a role",
    facts: buildFacts({ author: 'alice', reviews: threeApprovals(1) }),
    state: 'awaiting-review',
    ignored: [['1', 'author']],
    missing: [
      /from the investigator, but work package dsg-2026 names no investigator other than the pull request's author @alice/,
    ],
  },
  {
    name: 'no-role: someone who holds no role',
    facts: buildFacts({ reviews: [...threeApprovals(1).slice(0, 2), approve('zed', 'tier: 1')] }),
    state: 'awaiting-review',
    ignored: [['3', 'no-role']],
  },
  {
    name: 'no-role: the system manager approves but does not classify',
    facts: buildFacts({ reviews: [...threeApprovals(1).slice(0, 2), approve('dora', 'tier: 1')] }),
    state: 'awaiting-review',
    ignored: [['3', 'no-role']],
    reasons: [],
  },
  {
    name: 'role-taken: a second investigator is not counted once the role is filled',
    facts: buildFacts({
      workPackage: buildWorkPackage({
        roles: {
          investigator: ['alice', 'frank'],
          'data-provider-representative': ['bob'],
          referee: ['carol'],
        },
      }),
      reviews: [...threeApprovals(1), approve('frank', 'tier: 1')],
    }),
    state: 'cleared',
    tier: 1,
    ignored: [['4', 'role-taken']],
  },
  {
    name: 'role-taken: one person holding two roles fills only one',
    facts: buildFacts({
      workPackage: buildWorkPackage({
        roles: {
          investigator: ['alice'],
          'data-provider-representative': ['bob'],
          referee: ['carol', 'alice'],
        },
      }),
      reviews: [approve('alice', 'tier: 1'), approve('bob', 'tier: 1')],
    }),
    state: 'awaiting-review',
    counted: [
      ['investigator', 'alice', 1],
      ['data-provider-representative', 'bob', 1],
    ],
    reasons: [/@alice holds investigator and referee; counted as investigator only/],
    missing: [/referee \(@carol or @alice\)/],
  },
  {
    name: 'a person holding two roles fills the one nobody else can',
    facts: buildFacts({
      workPackage: buildWorkPackage({
        roles: {
          investigator: ['alice', 'carol'],
          'data-provider-representative': ['bob'],
          referee: ['carol'],
        },
      }),
      reviews: threeApprovals(1),
    }),
    state: 'cleared',
    counted: [
      ['investigator', 'alice', 1],
      ['data-provider-representative', 'bob', 1],
      ['referee', 'carol', 1],
    ],
  },
  {
    name: 'superseded: only the latest review of a person counts',
    facts: buildFacts({ reviews: [approve('carol', 'tier: 2'), ...threeApprovals(1)] }),
    state: 'cleared',
    tier: 1,
    ignored: [['1', 'superseded']],
  },
  {
    name: 'not-approving: a comment does not supersede an approval',
    facts: buildFacts({
      reviews: [...threeApprovals(1), buildReview('carol', 'COMMENTED', 'tier: 3 maybe?')],
    }),
    state: 'cleared',
    tier: 1,
    ignored: [['4', 'not-approving']],
  },
  {
    name: 'no-tier: approving without a tier',
    facts: buildFacts({ reviews: [...threeApprovals(1).slice(0, 2), approve('carol', 'LGTM')] }),
    state: 'awaiting-review',
    ignored: [['3', 'no-tier']],
  },
  {
    name: 'invalid-tier: an out-of-range tier makes the review invalid',
    facts: buildFacts({ reviews: [...threeApprovals(1).slice(0, 2), approve('carol', 'tier: 7')] }),
    state: 'awaiting-review',
    ignored: [['3', 'invalid-tier']],
  },
  {
    name: 'invalid-tier: a tier for an unknown collection',
    facts: buildFacts({
      reviews: [...threeApprovals(1).slice(0, 2), approve('carol', 'tier: 1\ntier figures: 1')],
    }),
    state: 'awaiting-review',
    ignored: [['3', 'invalid-tier']],
  },
  {
    name: 'changes requested by a role holder blocks, even with three approvals',
    facts: buildFacts({
      reviews: [
        ...threeApprovals(1),
        buildReview('carol', 'CHANGES_REQUESTED', 'figure 2 shows a small count'),
      ],
    }),
    state: 'changes-requested',
    reasons: [/referee @carol requested changes \(review #4 on 5f3c9e1\)/],
  },
  {
    name: 'changes requested by the system manager blocks too',
    facts: buildFacts({
      reviews: [...threeApprovals(1), buildReview('dora', 'CHANGES_REQUESTED', 'wrong disk')],
    }),
    state: 'changes-requested',
  },
  {
    name: 'changes requested before the last push still block: a push makes approvals stale, not objections',
    facts: buildFacts({
      reviews: [
        buildReview('bob', 'CHANGES_REQUESTED', 'table 2', { commit: OLD }),
        ...threeApprovals(1).slice(0, 1),
        approve('carol', 'tier: 1'),
      ],
    }),
    state: 'changes-requested',
  },
  {
    name: 'changes requested that Gitea flags stale still block',
    facts: buildFacts({
      reviews: [
        ...threeApprovals(1),
        buildReview('dora', 'CHANGES_REQUESTED', 'wrong disk', { stale: true }),
      ],
    }),
    state: 'changes-requested',
  },
  {
    name: 'a later approval replaces the changes request',
    facts: buildFacts({ reviews: [buildReview('carol', 'CHANGES_REQUESTED', 'no'), ...threeApprovals(1)] }),
    state: 'cleared',
    ignored: [['1', 'superseded']],
  },
  {
    name: 'mismatched tiers need a discussion',
    facts: buildFacts({ reviews: threeApprovals([1, 1, 2]) }),
    state: 'needs-discussion',
    reasons: [/classifications differ \(investigator 1, data provider representative 1, referee 2\)/],
    missing: [/with outcome no-agreement the highest tier, 2, applies/],
  },
  {
    name: 'mismatch with an "agreed" record but unchanged tiers still needs re-classification',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({ discussion: { ...sensitiveDiscussion(buildCollection()), outcome: 'agreed' } }),
      ]),
      reviews: threeApprovals([0, 1, 1]),
    }),
    state: 'needs-discussion',
    missing: [/recorded agreement, but the classifications still differ/],
  },
  {
    name: 'no-agreement resolves to the highest tier (≤ 1: cleared)',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({ discussion: sensitiveDiscussion(buildCollection(), 'no-agreement') }),
      ]),
      reviews: threeApprovals([0, 1, 0]),
    }),
    state: 'cleared',
    tier: 1,
    reasons: [/reached no agreement, so the highest proposed tier, 1, applies/],
  },
  {
    name: 'no-agreement without every role attending is not a resolution',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          discussion: {
            date: '2026-03-02',
            attendees: [{ user: 'alice', role: 'investigator' }],
            outcome: 'no-agreement',
          },
        }),
      ]),
      reviews: threeApprovals([0, 1, 0]),
    }),
    state: 'needs-discussion',
    missing: [/no data provider representative attended/, /no referee attended/],
  },
  {
    name: 'an attendee in a role they do not hold does not count',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          discussion: {
            date: '2026-03-02',
            attendees: [
              { user: 'alice', role: 'investigator' },
              { user: 'bob', role: 'data-provider-representative' },
              { user: 'zed', role: 'referee' },
            ],
            outcome: 'no-agreement',
          },
        }),
      ]),
      reviews: threeApprovals([0, 1, 0]),
    }),
    state: 'needs-discussion',
    missing: [/attendee @zed is listed as referee but is not one/, /no referee attended/],
  },
  {
    name: 'no-agreement at tier 3 without the tier ≥ 2 requirements: blocked, naming each',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          discussion: { ...sensitiveDiscussion(buildCollection(), 'no-agreement'), treatments: [] },
        }),
      ]),
      reviews: threeApprovals([1, 3, 2]),
    }),
    state: 'blocked',
    tier: 3,
    missing: [
      /every item needs a treatment .* none for 'report\/summary.md' and 'report\/figure-1.png'/,
      /destination must reach the original data provider Example NHS Trust \(provider-disk\), not 'researcher-disk'/,
      /written notification must be recorded/,
    ],
  },
  {
    name: 'agreed tier 2 without any discussion record: blocked',
    facts: buildFacts({ manifest: buildManifest([sensitiveCollection]), reviews: threeApprovals(2) }),
    state: 'blocked',
    tier: 2,
    missing: [
      /a face-to-face discussion is required at tier 2 \(above 1\)/,
      /every item needs a treatment/,
      /notification/,
    ],
  },
  {
    name: 'agreed tier 2 meeting every requirement: cleared, encrypted to the provider',
    facts: buildFacts({ manifest: buildManifest([sensitiveReady]), reviews: threeApprovals(2) }),
    state: 'cleared',
    tier: 2,
  },
  {
    name: 'a legal basis replaces the original-provider destination and the notification',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          ...sensitiveReady,
          destination: 'researcher-disk',
          providerNotification: { legalBasis: 'Court order 2026/17' },
        }),
      ]),
      reviews: threeApprovals(2),
    }),
    state: 'cleared',
    tier: 2,
  },
  {
    name: 'a treatment not allowed by the policy and one for an unknown item',
    facts: buildFacts({
      policy: {
        ...buildFacts().policy,
        sensitive: { ...buildFacts().policy.sensitive, treatments: ['remove', 'aggregate'] },
      },
      manifest: buildManifest([
        buildCollection({
          ...sensitiveReady,
          discussion: {
            ...sensitiveReady.discussion!,
            treatments: [
              { path: 'report/summary.md', treatment: 'pseudonymise' },
              { path: 'report/figure-1.png', treatment: 'remove' },
              { path: 'report/other.md', treatment: 'remove' },
            ],
          },
        }),
      ]),
      reviews: threeApprovals(2),
    }),
    state: 'blocked',
    missing: [
      /treatment 'pseudonymise' for 'report\/summary.md' is not allowed/,
      /'report\/other.md', which is not an item/,
    ],
  },
  {
    name: 'a provider with no keys cannot receive tier ≥ 2 material',
    facts: buildFacts({
      workPackage: buildWorkPackage({
        dataProvider: { name: 'Example NHS Trust', keys: [], destinations: ['provider-disk'] },
      }),
      manifest: buildManifest([sensitiveReady]),
      reviews: threeApprovals(2),
    }),
    state: 'blocked',
    missing: [/encrypted to the data provider's public key, but work package dsg-2026 names none/],
  },
  {
    name: 'pre-approved form: only the data provider representative is needed',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          kind: 'report',
          preApproval: 'summary-tables',
          items: [{ path: 'tables/a.csv' }, { path: 'tables/2026/b.csv' }],
        }),
      ]),
      reviews: [approve('bob', 'tier: 1')],
    }),
    state: 'cleared',
    tier: 1,
    reasons: [
      /pre-approved form 'summary-tables' \(up to tier 1\): every item matches; only data provider representative must classify/,
    ],
  },
  {
    name: 'pre-approved form: other role holders still count when they classify',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({ preApproval: 'summary-tables', items: [{ path: 'tables/a.csv' }] }),
      ]),
      reviews: [approve('bob', 'tier: 1'), approve('carol', 'tier: 0')],
    }),
    state: 'needs-discussion',
  },
  {
    name: 'pre-approved form: the roles the form names',
    facts: buildFacts({
      workPackage: buildWorkPackage({
        preApproved: [
          { id: 'stats', description: 'x', patterns: ['*.csv'], tier: 1, roles: ['referee', 'investigator'] },
        ],
      }),
      manifest: buildManifest([buildCollection({ preApproval: 'stats', items: [{ path: 'a.csv' }] })]),
      reviews: [approve('carol', 'tier: 1')],
    }),
    state: 'awaiting-review',
    missing: [/from the investigator/],
  },
  {
    name: 'pre-approved form: an item outside the form blocks',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          preApproval: 'summary-tables',
          items: [{ path: 'tables/a.csv' }, { path: 'raw/b.csv' }],
        }),
      ]),
      reviews: [approve('bob', 'tier: 1')],
    }),
    state: 'blocked',
    missing: [/'raw\/b.csv' does not match pre-approved form 'summary-tables' \(tables\/\*\*\/\*.csv\)/],
  },
  {
    name: 'pre-approved form: an unknown form blocks',
    facts: buildFacts({
      manifest: buildManifest([buildCollection({ preApproval: 'nope' })]),
      reviews: threeApprovals(1),
    }),
    state: 'blocked',
    missing: [/pre-approved form 'nope' is not defined in work package dsg-2026 \(forms: summary-tables\)/],
  },
  {
    name: 'pre-approved form: classified above the form tier blocks',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({ preApproval: 'summary-tables', items: [{ path: 'tables/a.csv' }] }),
      ]),
      reviews: [approve('bob', 'tier: 2')],
    }),
    state: 'blocked',
    missing: [/above the tier 1 that pre-approved form 'summary-tables' allows/],
  },
  {
    name: 'pre-approval not allowed by the policy',
    facts: buildFacts({
      policy: { ...buildFacts().policy, preApproval: { allowed: false, defaultRoles: ['referee'] } },
      manifest: buildManifest([
        buildCollection({ preApproval: 'summary-tables', items: [{ path: 'tables/a.csv' }] }),
      ]),
      reviews: threeApprovals(1),
    }),
    state: 'blocked',
    missing: [/pre-approved forms are not allowed by policy turing-dsh/],
  },
  {
    name: 'provenance is required for derived datasets',
    facts: buildFacts({
      manifest: buildManifest([buildCollection({ kind: 'derived-dataset' })]),
      reviews: threeApprovals(1),
    }),
    state: 'blocked',
    missing: [/a derived-dataset collection must say how it is regenerated: add provenance/],
  },
  {
    name: 'provenance with code and command satisfies the rule',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          kind: 'derived-dataset',
          provenance: { code: ['code/a.py'], command: 'python code/a.py' },
        }),
      ]),
      reviews: threeApprovals(1),
    }),
    state: 'cleared',
  },
  {
    name: 'generated datasets need a complete generation record',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          kind: 'generated-dataset',
          provenance: { code: ['gen.py'], command: 'python gen.py' },
          generation: {
            method: 'synthetic',
            script: { path: 'gen.py' },
            justification: ' ',
            structure: '',
            targetTier: 1,
          },
        }),
      ]),
      reviews: threeApprovals(1),
    }),
    state: 'blocked',
    missing: [/generation.script must be pinned/, /justification is empty/, /structure is empty/],
  },
  {
    name: 'a generated dataset classified above its target tier is blocked',
    facts: buildFacts({
      manifest: buildManifest([
        buildCollection({
          kind: 'generated-dataset',
          provenance: { code: ['gen.py'], command: 'python gen.py' },
          generation: {
            method: 'pseudonymisation',
            script: { path: 'gen.py', sha256: 'c'.repeat(64) },
            justification: 'k-anonymity 10 on every quasi-identifier',
            structure: 'one row per admission: week, region, age band',
            targetTier: 0,
          },
        }),
      ]),
      reviews: threeApprovals(1),
    }),
    state: 'blocked',
    missing: [/classified at tier 1, above the target tier 0 of the downstream environment/],
  },
  {
    name: 'a destination the work package does not allow blocks',
    facts: buildFacts({
      workPackage: buildWorkPackage({ destinations: ['provider-disk'] }),
      reviews: threeApprovals(0),
    }),
    state: 'blocked',
    missing: [
      /destination 'researcher-disk' is not allowed for work package dsg-2026 \(allowed: provider-disk\)/,
    ],
  },
  {
    name: 'without a head commit, commits are not compared',
    facts: buildFacts({ head: undefined, reviews: threeApprovals(1).map((r) => ({ ...r, commit: OLD })) }),
    state: 'cleared',
  },
  {
    name: 'logins compare case-insensitively',
    facts: buildFacts({ reviews: threeApprovals(1).map((r) => ({ ...r, user: r.user.toUpperCase() })) }),
    state: 'cleared',
  },
];

describe('evaluatePolicy: one collection', () => {
  it.each(cases)('$name', (c) => {
    const result = evaluatePolicy(c.facts);
    const collection = result.collections[0]!;
    const explain = JSON.stringify({ reasons: collection.reasons, missing: collection.missing }, null, 1);
    expect(collection.state, explain).toBe(c.state);
    expect(result.passed).toBe(c.state === 'cleared');
    if (c.tier !== undefined) expect(collection.tier).toBe(c.tier);
    if (c.ignored) {
      const got = collection.ignored.map((i) => [i.reviewId, i.reason]).sort();
      expect(got).toEqual([...c.ignored].sort());
    }
    for (const pattern of c.reasons ?? []) expect(collection.reasons.join('\n')).toMatch(pattern);
    for (const pattern of c.missing ?? []) expect(collection.missing.join('\n')).toMatch(pattern);
    if (c.counted) expect(collection.classifications.map((k) => [k.role, k.user, k.tier])).toEqual(c.counted);
    if (collection.state === 'cleared') expect(collection.missing).toEqual([]);
    else expect(collection.missing.length).toBeGreaterThan(0);
  });
});

describe('evaluatePolicy: request-level rules', () => {
  it('the merger must hold the releasing role', () => {
    const ok = evaluatePolicy(buildFacts({ reviews: threeApprovals(1), merger: 'dora' }));
    expect(ok.passed).toBe(true);
    expect(ok.reasons).toEqual(['merged by system manager @dora']);
    const notManager = evaluatePolicy(buildFacts({ reviews: threeApprovals(1), merger: 'alice' }));
    expect(notManager.passed).toBe(false);
    expect(notManager.state).toBe('blocked');
    expect(notManager.reasons.join('\n')).toMatch(
      /@alice merged the pull request but is not a system manager in work package dsg-2026 \(system manager: @dora\): nothing may be delivered/,
    );
  });

  it('the request state is the worst collection state, and its tier the highest', () => {
    const manifest = buildManifest([buildCollection(), { ...sensitiveReady, name: 'handover' }]);
    const reviews = [
      approve('alice', 'tier report-inputs: 0\ntier handover: 2'),
      approve('bob', 'tier report-inputs: 0\ntier handover: 2'),
      approve('carol', 'tier report-inputs: 0\ntier handover: 2'),
    ];
    const result = evaluatePolicy(buildFacts({ manifest, reviews }));
    expect(result.collections.map((c) => [c.state, c.tier])).toEqual([
      ['cleared', 0],
      ['cleared', 2],
    ]);
    expect(result.tier).toBe(2);
    expect(result.passed).toBe(true);
    const pending = evaluatePolicy(buildFacts({ manifest, reviews: reviews.slice(0, 2) }));
    expect(pending.state).toBe('awaiting-review');
    expect(pending.tier).toBeUndefined();
  });

  it('packages are encrypted to the provider only at tier ≥ 2, and to the provider too when it receives them', () => {
    const recipients = (collection: ReturnType<typeof buildCollection>, tier: number) =>
      evaluatePolicy(buildFacts({ manifest: buildManifest([collection]), reviews: threeApprovals(tier) }))
        .collections[0]!.recipients;
    expect(recipients(buildCollection(), 1)).toEqual(['investigator.asc']);
    expect(recipients(buildCollection({ destination: 'provider-disk' }), 1)).toEqual([
      'investigator.asc',
      'data-provider.asc',
    ]);
    expect(recipients(sensitiveReady, 2)).toEqual(['data-provider.asc']);
  });

  it('items the discussion removes are excluded from delivery', () => {
    const collection = buildCollection({
      ...sensitiveReady,
      discussion: {
        ...sensitiveReady.discussion!,
        treatments: [
          { path: 'report/summary.md', treatment: 'aggregate' },
          { path: 'report/figure-1.png', treatment: 'remove' },
        ],
      },
    });
    const c = evaluatePolicy(
      buildFacts({ manifest: buildManifest([collection]), reviews: threeApprovals(3) }),
    ).collections[0]!;
    expect(c.state).toBe('cleared');
    expect(c.excludedItems).toEqual(['report/figure-1.png']);
    expect(c.reasons.join('\n')).toMatch(
      /removed by the discussion and not delivered: 'report\/figure-1.png'/,
    );
  });
});

describe('evaluatePolicy interprets the policy: nothing is hard-coded', () => {
  // A two-role institution: tiers 0–2, only tier 0 released without a discussion, custodian attends.
  const base = buildFacts().policy;
  const policy = {
    ...base,
    name: 'two-key',
    tiers: [0, 1, 2].map((tier) => ({ tier, name: `T${tier}`, description: `tier ${tier}` })),
    classifyingRoles: [
      { id: 'analyst', title: 'Analyst' },
      { id: 'custodian', title: 'Custodian' },
    ],
    releasingRole: { id: 'gatekeeper', title: 'Gatekeeper' },
    releaseMaxTier: 0,
    discussion: { requiredAttendees: ['custodian'], onNoAgreement: 'highest' as const },
    sensitive: {
      fromTier: 2,
      treatments: ['remove' as const],
      requireTreatmentPerItem: true,
      requireOriginalProvider: false,
      requireProviderNotification: false,
      encryptToProviderOnly: true,
    },
  };
  const workPackage = buildWorkPackage({
    roles: { analyst: ['ann'], custodian: ['cus'], gatekeeper: ['gus'] },
  });
  const discussion = {
    date: '2026-04-01',
    attendees: [{ user: 'cus', role: 'custodian' }],
    outcome: 'agreed' as const,
    treatments: buildCollection().items.map((i) => ({ path: i.path, treatment: 'remove' as const })),
  };
  const run = (tiers: [number, number], withDiscussion = false, merger?: string) =>
    evaluatePolicy(
      buildFacts({
        policy,
        workPackage,
        manifest: buildManifest([buildCollection(withDiscussion ? { discussion } : {})]),
        reviews: [approve('ann', `tier: ${tiers[0]}`), approve('cus', `tier: ${tiers[1]}`)],
        ...(merger ? { merger } : {}),
      }),
    );

  it.each([
    { tiers: [0, 0] as [number, number], discuss: false, state: 'cleared' },
    { tiers: [1, 1] as [number, number], discuss: false, state: 'needs-discussion' },
    { tiers: [1, 1] as [number, number], discuss: true, state: 'cleared' },
    { tiers: [2, 2] as [number, number], discuss: false, state: 'blocked' },
    { tiers: [2, 2] as [number, number], discuss: true, state: 'cleared' },
    { tiers: [0, 2] as [number, number], discuss: true, state: 'needs-discussion' },
  ])('tiers $tiers, discussion $discuss → $state', ({ tiers, discuss, state }) => {
    const c = run(tiers, discuss).collections[0]!;
    expect(c.state, c.missing.join('\n')).toBe(state);
    if (state === 'cleared' && tiers[0] === 2) expect(c.excludedItems).toHaveLength(2);
  });

  it('uses the policy’s tiers, role titles and releasing role in what it says', () => {
    const invalid = evaluatePolicy(
      buildFacts({ policy, workPackage, reviews: [approve('ann', 'tier: 3'), approve('cus', 'tier: 0')] }),
    ).collections[0]!;
    expect(invalid.ignored.map((i) => i.detail).join('\n')).toMatch(
      /tier 3 does not exist in this policy \(tiers: 0, 1, 2\)/,
    );
    expect(invalid.missing.join('\n')).toMatch(/from the analyst \(@ann\)/);
    expect(run([0, 0], false, 'gus').passed).toBe(true);
    expect(run([0, 0], false, 'dora').reasons.join('\n')).toMatch(/not a gatekeeper/);
  });
});
