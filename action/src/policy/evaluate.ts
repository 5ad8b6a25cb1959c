/**
 * The policy engine: facts in, a result tree out, with a reason in words for every decision.
 * Pure and synchronous (no file system, network or environment), so every rule is testable with
 * plain data. Disapproval wins: the worst collection state is the request's state.
 */
import type { Collection } from '../manifest/types.js';
import { assignRoles, type RoleCandidate } from './assign-roles.js';
import { checkBlockingFindings } from './disclosure-rules.js';
import { checkAttendees } from './discussion.js';
import { checkPreApproval } from './pre-approval.js';
import { checkGeneration, checkProvenance } from './records.js';
import { parseTiers, type TierParse } from './review-grammar.js';
import { describeReviewer, holdsRole, type ScreenedReviews, screenReviews } from './select-reviews.js';
import { checkSensitive } from './sensitive.js';
import type {
  Classification,
  CollectionResult,
  CollectionState,
  IgnoredReview,
  PolicyFacts,
  PolicyResult,
} from './types.js';
import { formatUser, listWords, roleTitle, sameUser, shortSha } from './wording.js';

/** Better first; a later state is worse for the request. */
export const collectionStateOrder: readonly CollectionState[] = [
  'cleared',
  'awaiting-review',
  'needs-discussion',
  'changes-requested',
  'blocked',
];

export function worstState(states: readonly CollectionState[]): CollectionState {
  return states.reduce<CollectionState>(
    (worst, s) => (collectionStateOrder.indexOf(s) > collectionStateOrder.indexOf(worst) ? s : worst),
    'cleared',
  );
}

export function evaluatePolicy(facts: PolicyFacts): PolicyResult {
  const screened = screenReviews(facts);
  const names = facts.manifest.collections.map((c) => c.name);
  const parsed = new Map<number, TierParse>();
  for (const a of screened.approvals) parsed.set(a.index, parseTiers(a.review.body, names, facts.policy));

  const collections = facts.manifest.collections.map((c) => evaluateCollection(c, facts, screened, parsed));
  const reasons: string[] = [];
  let state = worstState(collections.map((c) => c.state));
  let mergeAllowed = true;
  if (collections.length === 0) {
    reasons.push('the request has no collections: nothing to classify or deliver');
    state = 'blocked';
  }
  if (facts.merger !== undefined) {
    const role = facts.policy.releasingRole;
    const title = roleTitle(facts.policy, role.id);
    if (holdsRole(facts.merger, role.id, facts.workPackage)) {
      reasons.push(`merged by ${title} ${formatUser(facts.merger)}`);
    } else {
      mergeAllowed = false;
      state = 'blocked';
      const holders = (facts.workPackage.roles[role.id] ?? []).map(formatUser).join(', ') || 'nobody';
      reasons.push(
        `${formatUser(facts.merger)} merged the pull request but is not a ${title} in work package ${facts.workPackage.id} (${title}: ${holders}): nothing may be delivered`,
      );
    }
  }
  const tiers = collections.map((c) => c.tier);
  const decided = tiers.every((t) => t !== undefined) && tiers.length > 0;
  const passed = collections.length > 0 && mergeAllowed && collections.every((c) => c.state === 'cleared');
  const result: PolicyResult = { passed, state, collections, reasons };
  if (decided) result.tier = Math.max(...(tiers as number[]));
  return result;
}

function evaluateCollection(
  collection: Collection,
  facts: PolicyFacts,
  screened: ScreenedReviews,
  parsed: ReadonlyMap<number, TierParse>,
): CollectionResult {
  const { policy, workPackage } = facts;
  const states: CollectionState[] = [];
  const reasons: string[] = [];
  const missing: string[] = [];
  const ignored: IgnoredReview[] = [...screened.ignored];
  const who = (user: string) => describeReviewer(user, policy, workPackage);
  const block = (problem: string) => {
    states.push('blocked');
    reasons.push(`blocked: ${problem}`);
    missing.push(problem);
  };
  const head = facts.head === undefined ? 'the head commit' : `head ${shortSha(facts.head)}`;

  if (!workPackage.destinations.includes(collection.destination)) {
    block(
      `destination '${collection.destination}' is not allowed for work package ${workPackage.id} (allowed: ${workPackage.destinations.join(', ') || 'none'})`,
    );
  } else if (!facts.config.destinations[collection.destination]) {
    block(`destination '${collection.destination}' is not configured in the egress configuration`);
  }
  const pre = checkPreApproval(collection, facts);
  pre.problems.forEach(block);
  reasons.push(...pre.reasons);
  checkProvenance(collection, policy).forEach(block);
  checkBlockingFindings(collection, facts).forEach(block);

  // Which approvals carry a tier for this collection.
  const candidates: RoleCandidate[] = [];
  const reviews = new Map(screened.approvals.map((a) => [a.index, a.review]));
  for (const a of screened.approvals) {
    const { review } = a;
    const parse = parsed.get(a.index);
    if (parse && !parse.ok) {
      ignored.push({
        reviewId: review.id,
        user: review.user,
        reason: 'invalid-tier',
        detail: `review #${review.id} by ${who(review.user)} is invalid, so it classifies nothing: ${parse.errors.join('; ')}`,
      });
      continue;
    }
    const tier = parse?.ok ? parse.tiers.get(collection.name) : undefined;
    if (tier === undefined) {
      ignored.push({
        reviewId: review.id,
        user: review.user,
        reason: 'no-tier',
        detail: `${who(review.user)} approved without a tier for ${collection.name} (review #${review.id}): write \`tier: N\` or \`tier ${collection.name}: N\``,
      });
      continue;
    }
    candidates.push({ user: review.user, roles: a.roles, tier, index: a.index });
  }

  const allRoles = policy.classifyingRoles.map((r) => r.id);
  const assignment = assignRoles(allRoles, pre.requiredRoles, candidates);
  const classifications: Classification[] = [];
  for (const role of allRoles) {
    const pick = assignment.counted.get(role);
    if (!pick) continue;
    const review = reviews.get(pick.index)!;
    classifications.push({
      role,
      user: pick.user,
      tier: pick.tier,
      reviewId: review.id,
      commit: review.commit,
    });
    reasons.push(
      `${roleTitle(policy, role)} ${formatUser(pick.user)} classified tier ${pick.tier} (review #${review.id} on ${shortSha(review.commit)})`,
    );
    if (pick.roles.length > 1) {
      reasons.push(
        `${formatUser(pick.user)} holds ${listWords(pick.roles.map((r) => roleTitle(policy, r)))}; counted as ${roleTitle(policy, role)} only: one person cannot fill two roles`,
      );
    }
  }
  for (const c of assignment.unassigned) {
    const review = reviews.get(c.index)!;
    const fillers = c.roles.map((r) => {
      const f = assignment.counted.get(r);
      return f ? `${roleTitle(policy, r)} by ${formatUser(f.user)}` : `${roleTitle(policy, r)} (unfilled)`;
    });
    ignored.push({
      reviewId: review.id,
      user: review.user,
      reason: 'role-taken',
      detail: `${who(c.user)}'s tier ${c.tier} for ${collection.name} (review #${review.id}) is not counted: one person fills one role, and the roles they hold are filled (${fillers.join(', ')})`,
    });
  }

  for (const cr of screened.changeRequests) {
    states.push('changes-requested');
    reasons.push(
      `${who(cr.review.user)} requested changes (review #${cr.review.id} on ${shortSha(cr.review.commit)}): disapproval blocks the request`,
    );
    missing.push(
      `${who(cr.review.user)} to approve with a tier instead of requesting changes, or their review to be dismissed`,
    );
  }

  const missingRoles = pre.requiredRoles.filter((r) => !assignment.counted.has(r));
  if (missingRoles.length > 0) states.push('awaiting-review');
  for (const role of missingRoles) {
    const title = roleTitle(policy, role);
    const holders = (workPackage.roles[role] ?? []).filter((u) => !sameUser(u, facts.author));
    // Already said above: every holder of the role is asked to approve instead of requesting changes.
    const requesting = (u: string) => screened.changeRequests.some((cr) => sameUser(cr.review.user, u));
    if (holders.length > 0 && holders.every(requesting)) continue;
    missing.push(
      holders.length > 0
        ? `a classification of ${collection.name} from the ${title} (${holders.map(formatUser).join(' or ')}) approving ${head}`
        : `a classification of ${collection.name} from the ${title}, but work package ${workPackage.id} names no ${title} other than the pull request's author ${formatUser(facts.author)}`,
    );
  }

  // Resolution: equal tiers, or a recorded no-agreement (highest wins).
  const tiers = classifications.map((c) => c.tier);
  const distinct = [...new Set(tiers)];
  const discussion = collection.discussion;
  const attendeeProblems = discussion ? checkAttendees(discussion, policy, workPackage) : [];
  let resolved: number | undefined;
  if (distinct.length > 1) {
    const highest = Math.max(...tiers);
    const listing = classifications.map((c) => `${roleTitle(policy, c.role)} ${c.tier}`).join(', ');
    if (discussion?.outcome === 'no-agreement' && attendeeProblems.length === 0) {
      resolved = highest;
      reasons.push(
        `classifications differ (${listing}); the discussion of ${discussion.date} reached no agreement, so the highest proposed tier, ${highest}, applies`,
      );
    } else {
      states.push('needs-discussion');
      reasons.push(`classifications differ (${listing}): a face-to-face discussion is needed`);
      if (!discussion) {
        missing.push(
          `either the reviewers re-classify ${collection.name} equally, or a discussion is recorded in the manifest; with outcome no-agreement the highest tier, ${highest}, applies`,
        );
      } else if (discussion.outcome === 'agreed') {
        missing.push(
          `the discussion of ${discussion.date} recorded agreement, but the classifications still differ: the reviewers must re-classify at the agreed tier`,
        );
      } else {
        missing.push(...attendeeProblems);
      }
    }
  }
  let tier: number | undefined;
  if (
    missingRoles.length === 0 &&
    classifications.length > 0 &&
    (distinct.length === 1 || resolved !== undefined)
  ) {
    tier = resolved ?? distinct[0];
  }

  let excludedItems: string[] = [];
  if (tier !== undefined) {
    if (pre.form && tier > pre.form.tier) {
      block(
        `classified at tier ${tier}, above the tier ${pre.form.tier} that pre-approved form '${pre.form.id}' allows`,
      );
    }
    const sensitive = tier >= policy.sensitive.fromTier;
    if (tier > policy.releaseMaxTier) {
      const needed = `a face-to-face discussion is required at tier ${tier} (above ${policy.releaseMaxTier})`;
      const problems = discussion
        ? attendeeProblems
        : [
            `${needed}: record it in the manifest (date, attendees, outcome${sensitive ? ', treatments' : ''})`,
          ];
      if (sensitive) problems.forEach(block);
      else if (problems.length > 0) {
        states.push('needs-discussion');
        reasons.push(needed);
        missing.push(...problems);
      }
    }
    if (sensitive) {
      const check = checkSensitive(collection, tier, facts);
      check.problems.forEach(block);
      excludedItems = check.excludedItems;
      if (excludedItems.length > 0) {
        reasons.push(
          `removed by the discussion and not delivered: ${excludedItems.map((p) => `'${p}'`).join(', ')}`,
        );
      }
    }
  }
  checkGeneration(collection, policy, tier).forEach(block);

  const position = new Map(facts.reviews.map((r, i) => [r.id, i]));
  ignored.sort((a, b) => (position.get(a.reviewId) ?? 0) - (position.get(b.reviewId) ?? 0));
  const state = worstState(states);
  if (state === 'cleared' && tier !== undefined) {
    reasons.push(`cleared at tier ${tier} on ${head}`);
  }
  const result: CollectionResult = {
    name: collection.name,
    state,
    classifications,
    ignored,
    reasons,
    missing: state === 'cleared' ? [] : missing,
    excludedItems,
    recipients: tier === undefined ? [] : recipientsFor(collection, tier, facts),
  };
  if (tier !== undefined) result.tier = tier;
  return result;
}

/** Key files the package is encrypted to; the provider's own keys whenever it goes to the provider. */
function recipientsFor(collection: Collection, tier: number, facts: PolicyFacts): string[] {
  const { policy, workPackage } = facts;
  const provider = workPackage.dataProvider;
  if (tier >= policy.sensitive.fromTier && policy.sensitive.encryptToProviderOnly) return [...provider.keys];
  const keys = [...workPackage.recipients];
  if (provider.destinations.includes(collection.destination)) keys.push(...provider.keys);
  return [...new Set(keys)];
}
