/** Small helpers so every reason names people, commits and roles the same way. */
import type { Policy } from './types.js';

export function formatUser(user: string): string {
  return `@${user}`;
}

/** Seven characters, as forges abbreviate commits. */
export function shortSha(sha: string): string {
  return sha.length > 7 ? sha.slice(0, 7) : sha;
}

/** Same user: forge logins are case-insensitive. */
export function sameUser(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Same commit when one sha is a prefix of the other, as abbreviated shas are (at least 7
 * characters, so a short fragment never matches by accident).
 */
export function sameCommit(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x.length < 7 || y.length < 7) return x === y && x.length > 0;
  return x.startsWith(y) || y.startsWith(x);
}

export function roleTitle(policy: Policy, roleId: string): string {
  const role = [...policy.classifyingRoles, policy.releasingRole].find((r) => r.id === roleId);
  return role ? role.title.toLowerCase() : roleId;
}

/** "a, b and c" */
export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
