import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Collection } from '../../action/src/manifest/types.js';
import { evaluatePolicy } from '../../action/src/policy/evaluate.js';
import type { PolicyFacts, PolicyResult, Review, ReviewState } from '../../action/src/policy/types.js';
import {
  buildCollection,
  buildFacts,
  buildManifest,
  buildWorkPackage,
  HEAD,
  OLD,
  sensitiveDiscussion,
} from './builders.js';

// frank is a second referee, so role assignment has choices to make.
const workPackage = buildWorkPackage({
  roles: {
    investigator: ['alice'],
    'data-provider-representative': ['bob'],
    referee: ['carol', 'frank'],
    'system-manager': ['dora'],
  },
});
const classifiers = ['alice', 'bob', 'carol', 'frank'];
const everyone = [...classifiers, 'dora', 'erin', 'zed'];
const collections = [
  buildCollection(),
  buildCollection({ name: 'handover', destination: 'provider-disk', items: [{ path: 'derived/a.csv' }] }),
];
const names = collections.map((c) => c.name);

const bodyArb = fc.oneof(
  fc.integer({ min: 0, max: 4 }).map((t) => `tier: ${t}`),
  fc
    .tuple(fc.constantFrom(...names), fc.integer({ min: 0, max: 4 }))
    .map(([n, t]) => `Looks fine.\ntier ${n}: ${t}`),
  fc.constant('LGTM'),
  fc.constant('tier: 9'),
);
const stateArb = fc.constantFrom<ReviewState>(
  'APPROVED',
  'APPROVED',
  'APPROVED',
  'CHANGES_REQUESTED',
  'COMMENTED',
);
const reviewArb = (users: string[]) =>
  fc.record({
    user: fc.constantFrom(...users),
    state: stateArb,
    commit: fc.constantFrom(HEAD, HEAD, HEAD.slice(0, 7), OLD),
    body: bodyArb,
  });

const factsArb = fc
  .record({
    // Often start from three valid classifications, so that resolution rules are reached.
    seed: fc.option(
      fc.oneof(
        fc.nat(4).map((t) => [t, t, t]),
        fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)),
      ),
      { freq: 2 },
    ),
    reviews: fc.array(reviewArb(classifiers.concat('dora')), { maxLength: 8 }),
    author: fc.constantFrom('erin', 'erin', 'alice'),
    discuss: fc.boolean(),
  })
  .map(({ seed, reviews, author, discuss }) =>
    facts(
      [
        ...(seed ?? []).map((tier, i) => ({
          user: classifiers[i]!,
          state: 'APPROVED' as const,
          commit: HEAD,
          body: `tier: ${tier}`,
        })),
        ...reviews,
      ].map((r, i) => ({ ...r, id: `r${i}` })),
      author,
      discuss
        ? collections.map((c) => ({ ...c, discussion: sensitiveDiscussion(c, 'no-agreement') }))
        : collections,
    ),
  );

function facts(reviews: Review[], author: string, cs: Collection[]): PolicyFacts {
  // Built directly, not through buildFacts' renumbering: review ids must survive insertions.
  return { ...buildFacts({ workPackage, manifest: buildManifest(cs), author }), reviews };
}

/** What a user acts on: pass/fail, states, tiers and who counted (not the wording). */
function outcome(result: PolicyResult) {
  return {
    passed: result.passed,
    state: result.state,
    tier: result.tier,
    collections: result.collections.map((c) => ({
      state: c.state,
      tier: c.tier,
      classifications: c.classifications,
      excludedItems: c.excludedItems,
      recipients: c.recipients,
    })),
  };
}

const insertAt = (reviews: Review[], at: number, review: Review) => [
  ...reviews.slice(0, at),
  review,
  ...reviews.slice(at),
];

/** Position of a user's last review that could be their latest word on the head. */
/** Index of the person's last review that supersedes earlier ones (any commit), or -1. */
function lastDecisiveReview(f: PolicyFacts, user: string): number {
  let last = -1;
  f.reviews.forEach((r, i) => {
    if (r.user === user && r.state !== 'COMMENTED' && r.state !== 'PENDING') last = i;
  });
  return last;
}

// Each property is cheap (about 0.2 ms a run); more runs find rarer review orders.
fc.configureGlobal({ numRuns: 300 });

describe('evaluatePolicy properties', () => {
  it('adding a stale approval before the person’s later review never changes the outcome', () => {
    // A push makes approvals stale, never objections: stale requests for changes still block (below).
    fc.assert(
      fc.property(factsArb, reviewArb(everyone), fc.nat(), fc.boolean(), (f, extra, at, flag) => {
        const stale: Review = flag
          ? { ...extra, id: 'x', state: 'APPROVED', stale: true }
          : { ...extra, id: 'x', state: 'APPROVED', commit: OLD };
        const last = lastDecisiveReview(f, stale.user);
        const limit = last === -1 ? f.reviews.length : last;
        const after = { ...f, reviews: insertAt(f.reviews, at % (limit + 1), stale) };
        expect(outcome(evaluatePolicy(after))).toEqual(outcome(evaluatePolicy(f)));
        const ignored = evaluatePolicy(after).collections[0]!.ignored.find((i) => i.reviewId === 'x');
        expect(ignored).toBeDefined();
      }),
    );
  });

  it('a role holder’s latest request for changes blocks even when made before the last push', () => {
    fc.assert(
      fc.property(factsArb, fc.constantFrom('alice', 'bob', 'carol', 'dora'), (f, user) => {
        const objection: Review = { id: 'x', user, state: 'CHANGES_REQUESTED', commit: OLD, body: '' };
        const after = {
          ...f,
          author: 'erin',
          reviews: [...f.reviews.filter((r) => r.user !== user), objection],
        };
        for (const c of evaluatePolicy(after).collections) expect(c.state).not.toBe('cleared');
        expect(evaluatePolicy(after).passed).toBe(false);
      }),
    );
  });

  it("adding the author's or a non-role review (anywhere) never changes the outcome", () => {
    fc.assert(
      fc.property(factsArb, reviewArb(['zed', 'erin']), fc.nat(), (f, extra, at) => {
        const user = extra.user === 'erin' ? f.author : 'zed';
        const review: Review = { ...extra, user, id: 'x' };
        const after = { ...f, reviews: insertAt(f.reviews, at % (f.reviews.length + 1), review) };
        expect(outcome(evaluatePolicy(after))).toEqual(outcome(evaluatePolicy(f)));
        const reason = evaluatePolicy(after).collections[0]!.ignored.find((i) => i.reviewId === 'x')?.reason;
        expect(reason).toBe(user === f.author ? 'author' : 'no-role');
      }),
    );
  });

  it('adding a dismissed review before the person’s later review never changes the outcome', () => {
    // A dismissal that is a person's latest word withdraws their classification: that is its purpose.
    fc.assert(
      fc.property(factsArb, reviewArb(everyone), fc.nat(), fc.boolean(), (f, extra, at, flag) => {
        const dismissed: Review = flag
          ? { ...extra, id: 'x', state: 'DISMISSED' }
          : { ...extra, id: 'x', state: 'APPROVED', dismissed: true };
        const last = lastDecisiveReview(f, dismissed.user);
        const limit = last === -1 ? f.reviews.length : last;
        const after = { ...f, reviews: insertAt(f.reviews, at % (limit + 1), dismissed) };
        expect(outcome(evaluatePolicy(after))).toEqual(outcome(evaluatePolicy(f)));
      }),
    );
  });

  it('the effective tier is never lower than any counted classification', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        for (const c of evaluatePolicy(f).collections) {
          if (c.tier === undefined) continue;
          for (const k of c.classifications) expect(c.tier).toBeGreaterThanOrEqual(k.tier);
        }
      }),
    );
  });

  it('a collection is never cleared while a role is missing or a role holder requests changes', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const result = evaluatePolicy(f);
        // The latest decisive word of each role holder other than the author, computed independently;
        // an approval counts only on the head, a request for changes on any commit.
        const latest = new Map<string, Review>();
        for (const r of f.reviews) {
          if (r.user === f.author || r.state === 'COMMENTED' || r.state === 'PENDING') continue;
          latest.set(r.user, r);
        }
        const requesting = [...latest.values()].some((r) => r.state === 'CHANGES_REQUESTED');
        for (const c of result.collections) {
          if (c.state !== 'cleared') continue;
          expect(requesting).toBe(false);
          const roles = c.classifications.map((k) => k.role).sort();
          expect(roles).toEqual(['data-provider-representative', 'investigator', 'referee']);
          const users = new Set(c.classifications.map((k) => k.user));
          expect(users.size).toBe(3);
          expect(users.has(f.author)).toBe(false);
        }
      }),
    );
  });

  it('mismatched tiers with a no-agreement record resolve to the highest; ≥ 2 is blocked unless every requirement holds', () => {
    const tiersArb = fc
      .tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }))
      .filter(([a, b, c]) => !(a === b && b === c));
    fc.assert(
      fc.property(
        tiersArb,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (tiers, treated, toProvider, notified) => {
          const base = buildCollection({ destination: toProvider ? 'provider-disk' : 'researcher-disk' });
          const discussion = sensitiveDiscussion(base, 'no-agreement');
          const collection: Collection = {
            ...base,
            discussion: treated ? discussion : { ...discussion, treatments: [] },
            ...(notified ? { providerNotification: { reference: 'N-1', date: '2026-03-03' } } : {}),
          };
          const reviews: Review[] = ['alice', 'bob', 'carol'].map((user, i) => ({
            id: String(i + 1),
            user,
            state: 'APPROVED',
            commit: HEAD,
            body: `tier: ${tiers[i]}`,
          }));
          const result = evaluatePolicy(buildFacts({ manifest: buildManifest([collection]), reviews }));
          const c = result.collections[0]!;
          const highest = Math.max(...tiers);
          expect(c.tier).toBe(highest);
          if (highest < 2 || (treated && toProvider && notified)) {
            expect(c.state).toBe('cleared');
            return;
          }
          expect(c.state).toBe('blocked');
          const missing = c.missing.join('\n');
          if (!treated) expect(missing).toMatch(/every item needs a treatment/);
          if (!toProvider) expect(missing).toMatch(/must reach the original data provider/);
          if (!notified) expect(missing).toMatch(/written notification must be recorded/);
          expect(c.missing).toHaveLength([treated, toProvider, notified].filter((x) => !x).length);
        },
      ),
    );
  });
});
