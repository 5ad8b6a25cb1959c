/**
 * First pass over the reviews, independent of collections: which review is each person's latest
 * word, whether it still stands on the head commit, and which reviews do not count at all (and why).
 */
import type { WorkPackage } from '../manifest/config-types.js';
import type { IgnoredReview, Policy, PolicyFacts, Review } from './types.js';
import { formatUser, roleTitle, sameCommit, sameUser, shortSha } from './wording.js';

/** A person's latest review on the head, with the roles they hold. */
export interface LatestReview {
  review: Review;
  /** Position in the facts' review list (0-based): ties are broken by it. */
  index: number;
  /** Classifying roles the reviewer holds, in the policy's order. */
  roles: string[];
}

export interface ScreenedReviews {
  /** Latest approving reviews of classifying-role holders. */
  approvals: LatestReview[];
  /** Latest reviews requesting changes, of any role holder (classifying or releasing). */
  changeRequests: LatestReview[];
  /** Reviews that count for no collection. */
  ignored: IgnoredReview[];
}

/** Classifying roles `user` holds in the work package, in the policy's order. */
export function classifyingRolesOf(user: string, policy: Policy, workPackage: WorkPackage): string[] {
  return policy.classifyingRoles
    .map((r) => r.id)
    .filter((id) => (workPackage.roles[id] ?? []).some((holder) => sameUser(holder, user)));
}

export function holdsRole(user: string, roleId: string, workPackage: WorkPackage): boolean {
  return (workPackage.roles[roleId] ?? []).some((holder) => sameUser(holder, user));
}

/** "referee @carol", or "@zed" for someone without a role. */
export function describeReviewer(user: string, policy: Policy, workPackage: WorkPackage): string {
  const roles = classifyingRolesOf(user, policy, workPackage);
  if (roles.length === 0 && holdsRole(user, policy.releasingRole.id, workPackage)) {
    return `${roleTitle(policy, policy.releasingRole.id)} ${formatUser(user)}`;
  }
  const words = roles.map((id) => roleTitle(policy, id));
  return words.length > 0 ? `${words.join(' and ')} ${formatUser(user)}` : formatUser(user);
}

function verbOf(review: Review): string {
  switch (review.state) {
    case 'APPROVED':
      return 'approved';
    case 'CHANGES_REQUESTED':
      return 'requested changes on';
    case 'DISMISSED':
      return 'reviewed';
    default:
      return 'commented on';
  }
}

/** Made before the last push: on another commit than the head, or flagged stale by Gitea. */
function isStale(review: Review, head: string | undefined): boolean {
  return review.stale === true || (head !== undefined && !sameCommit(review.commit, head));
}

function isDismissed(review: Review): boolean {
  return review.state === 'DISMISSED' || review.dismissed === true;
}

export function screenReviews(facts: PolicyFacts): ScreenedReviews {
  const { policy, workPackage } = facts;
  const ignored: IgnoredReview[] = [];
  const ignore = (review: Review, reason: IgnoredReview['reason'], detail: string) =>
    ignored.push({ reviewId: review.id, user: review.user, reason, detail });
  const who = (user: string) => describeReviewer(user, policy, workPackage);

  const latest = new Map<string, LatestReview>();
  facts.reviews.forEach((review, index) => {
    const roles = classifyingRolesOf(review.user, policy, workPackage);
    const releaser = holdsRole(review.user, policy.releasingRole.id, workPackage);
    if (sameUser(review.user, facts.author)) {
      ignore(
        review,
        'author',
        `${formatUser(review.user)} opened the pull request; the author's review #${review.id} never counts`,
      );
      return;
    }
    if (roles.length === 0 && !releaser) {
      ignore(
        review,
        'no-role',
        `${formatUser(review.user)} holds no role in work package ${workPackage.id}: review #${review.id} not counted`,
      );
      return;
    }
    if (review.state === 'COMMENTED' || review.state === 'PENDING') {
      const what = review.state === 'PENDING' ? 'is still pending (not submitted)' : 'only comments';
      ignore(
        review,
        'not-approving',
        `review #${review.id} by ${who(review.user)} ${what}: only an approving review classifies, and a comment does not replace an earlier review`,
      );
      return;
    }
    const key = review.user.toLowerCase();
    const previous = latest.get(key);
    if (previous) {
      ignore(
        previous.review,
        'superseded',
        `review #${previous.review.id} by ${who(review.user)} is superseded by their later review #${review.id}`,
      );
    }
    latest.set(key, { review, index, roles });
  });

  const approvals: LatestReview[] = [];
  const changeRequests: LatestReview[] = [];
  for (const entry of latest.values()) {
    const { review } = entry;
    if (isDismissed(review)) {
      ignore(review, 'dismissed', `review #${review.id} by ${who(review.user)} was dismissed: not counted`);
    } else if (review.state === 'CHANGES_REQUESTED') {
      // A push makes approvals stale, never objections: a request for changes blocks until the
      // reviewer approves again or it is dismissed.
      changeRequests.push(entry);
    } else if (isStale(review, facts.head)) {
      const where =
        facts.head !== undefined && !sameCommit(review.commit, facts.head)
          ? `${shortSha(review.commit)}, before the last push (head ${shortSha(facts.head)})`
          : `${shortSha(review.commit)}, which the forge marks stale (made before the last push)`;
      ignore(
        review,
        'stale',
        `${who(review.user)} ${verbOf(review)} ${where}: review #${review.id} not counted`,
      );
    } else if (entry.roles.length === 0) {
      ignore(
        review,
        'no-role',
        `${who(review.user)} holds no classifying role in work package ${workPackage.id}: review #${review.id} classifies nothing`,
      );
    } else {
      approvals.push(entry);
    }
  }
  const byIndex = (a: LatestReview, b: LatestReview) => a.index - b.index;
  return { approvals: approvals.sort(byIndex), changeRequests: changeRequests.sort(byIndex), ignored };
}
