/**
 * Which approving reviewer fills which role for one collection. One person never fills two roles;
 * when people hold several roles, the assignment that fills the most required roles wins, then
 * the one with the highest tiers (conservative), then earlier roles (policy order) go to earlier
 * reviews. The search is exhaustive over a few candidates per role, so it is deterministic.
 */

export interface RoleCandidate {
  user: string;
  /** Classifying roles held, in the policy's order. */
  roles: string[];
  tier: number;
  /** Position of the review in the facts (0-based). */
  index: number;
}

export interface RoleAssignment {
  /** Role id → the candidate counted for it. */
  counted: Map<string, RoleCandidate>;
  /** Candidates counted for no role. */
  unassigned: RoleCandidate[];
}

interface Score {
  required: number;
  filled: number;
  tierSum: number;
  /** Review index per role in policy order (-1 when unfilled); lower is preferred. */
  order: number[];
}

function better(a: Score, b: Score): boolean {
  if (a.required !== b.required) return a.required > b.required;
  if (a.filled !== b.filled) return a.filled > b.filled;
  if (a.tierSum !== b.tierSum) return a.tierSum > b.tierSum;
  for (let i = 0; i < a.order.length; i++) {
    const x = a.order[i] ?? -1;
    const y = b.order[i] ?? -1;
    if (x !== y) return x !== -1 && (y === -1 || x < y);
  }
  return false;
}

/**
 * `roles`: every classifying role in policy order; `required`: those that must be filled. Holders
 * of roles that are not required still count (their tier can only raise the outcome).
 */
export function assignRoles(
  roles: readonly string[],
  required: readonly string[],
  candidates: readonly RoleCandidate[],
): RoleAssignment {
  // Keeping the best `roles.length` candidates per role keeps an optimal assignment reachable:
  // the other roles can use at most roles.length - 1 of them.
  const options = roles.map((role) =>
    candidates
      .filter((c) => c.roles.includes(role))
      .sort((a, b) => b.tier - a.tier || a.index - b.index)
      .slice(0, roles.length),
  );
  let best: { score: Score; picks: (RoleCandidate | undefined)[] } | undefined;
  const picks: (RoleCandidate | undefined)[] = [];
  const used = new Set<string>();
  const search = (i: number) => {
    if (i === roles.length) {
      const score: Score = { required: 0, filled: 0, tierSum: 0, order: [] };
      picks.forEach((pick, r) => {
        score.order.push(pick ? pick.index : -1);
        if (!pick) return;
        score.filled++;
        score.tierSum += pick.tier;
        if (required.includes(roles[r]!)) score.required++;
      });
      if (!best || better(score, best.score)) best = { score, picks: [...picks] };
      return;
    }
    for (const candidate of options[i] ?? []) {
      const key = candidate.user.toLowerCase();
      if (used.has(key)) continue;
      used.add(key);
      picks.push(candidate);
      search(i + 1);
      picks.pop();
      used.delete(key);
    }
    picks.push(undefined);
    search(i + 1);
    picks.pop();
  };
  search(0);

  const counted = new Map<string, RoleCandidate>();
  best?.picks.forEach((pick, r) => {
    if (pick) counted.set(roles[r]!, pick);
  });
  const countedUsers = new Set([...counted.values()].map((c) => c.user.toLowerCase()));
  return { counted, unassigned: candidates.filter((c) => !countedUsers.has(c.user.toLowerCase())) };
}
