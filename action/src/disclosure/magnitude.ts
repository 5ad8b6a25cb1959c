/**
 * Dominance rules for magnitude cells (sums, means) whose largest contributions are declared,
 * as ACRO/SACRO apply them.
 */

/**
 * p% rule: the cell is sensitive when the total minus the two largest contributions is less than
 * p% of the largest — the second-largest contributor could then estimate the largest within p%.
 */
export function failsPPercent(total: number, largest: readonly number[], p: number): boolean {
  const [x1, x2] = largest;
  if (x1 === undefined || x2 === undefined || x1 <= 0) return false;
  return total - x1 - x2 < (p / 100) * x1;
}

/** nk-dominance: the n largest contributions make up more than k% of the total. */
export function nkShare(total: number, largest: readonly number[], n: number): number | undefined {
  if (total <= 0 || largest.length < Math.min(n, 1)) return undefined;
  const top = largest.slice(0, n).reduce((a, b) => a + b, 0);
  return (top / total) * 100;
}
