/** The face-to-face discussion recorded in the manifest: who attended, and what it decided. */
import type { WorkPackage } from '../manifest/config-types.js';
import type { DiscussionRecord } from '../manifest/types.js';
import { holdsRole } from './select-reviews.js';
import type { Policy } from './types.js';
import { formatUser, roleTitle } from './wording.js';

/**
 * What is wrong with the attendees, in words: each required role must be represented by a holder
 * of that role in the work package, and nobody may attend in a role they do not hold.
 */
export function checkAttendees(record: DiscussionRecord, policy: Policy, workPackage: WorkPackage): string[] {
  const problems: string[] = [];
  const valid = record.attendees.filter((a) => {
    if (holdsRole(a.user, a.role, workPackage)) return true;
    problems.push(
      `discussion attendee ${formatUser(a.user)} is listed as ${roleTitle(policy, a.role)} but is not one in work package ${workPackage.id}`,
    );
    return false;
  });
  for (const role of policy.discussion.requiredAttendees) {
    if (!valid.some((a) => a.role === role)) {
      const holders = (workPackage.roles[role] ?? []).map(formatUser).join(', ') || 'nobody';
      problems.push(
        `no ${roleTitle(policy, role)} attended the discussion of ${record.date} (holders: ${holders})`,
      );
    }
  }
  return problems;
}
