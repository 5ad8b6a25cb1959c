/** What a collection must document about how it was made: provenance and generation records. */
import type { Collection } from '../manifest/types.js';
import type { Policy } from './types.js';

/** Unmet provenance requirements, in words. */
export function checkProvenance(collection: Collection, policy: Policy): string[] {
  if (!policy.provenance.requiredFor.includes(collection.kind)) return [];
  const p = collection.provenance;
  const what = `a ${collection.kind} collection must say how it is regenerated`;
  if (!p) return [`${what}: add provenance (code and command)`];
  const problems: string[] = [];
  if (p.code.length === 0) problems.push(`${what}: provenance.code lists no code`);
  if (!p.command.trim()) problems.push(`${what}: provenance.command is empty`);
  return problems;
}

/** Unmet generation-record requirements; `tier` is the effective tier when decided. */
export function checkGeneration(collection: Collection, policy: Policy, tier: number | undefined): string[] {
  const rules = policy.generatedDatasets;
  if (!rules.kinds.includes(collection.kind)) return [];
  const g = collection.generation;
  const what = `a ${collection.kind} collection needs a generation record`;
  if (!g) return [`${what} (method, pinned script, justification, structure, target tier): add generation`];
  const problems: string[] = [];
  if (!rules.methods.includes(g.method)) {
    problems.push(
      `generation.method '${g.method}' is not accepted by policy ${policy.name} (${rules.methods.join(', ')})`,
    );
  }
  if (!g.script?.path || !g.script.sha256) {
    problems.push(
      `generation.script must be pinned (path and sha256) so reviewers classify the exact script; run egress-gate lock`,
    );
  }
  if (!g.justification?.trim()) {
    problems.push(
      'generation.justification is empty: explain why the script produces data of the target tier',
    );
  }
  if (!g.structure?.trim()) {
    problems.push('generation.structure is empty: describe the structure of the data for the reviewers');
  }
  if (!policy.tiers.some((t) => t.tier === g.targetTier)) {
    problems.push(`generation.targetTier ${g.targetTier} is not a tier of policy ${policy.name}`);
  } else if (rules.requireTargetTier !== false && tier !== undefined && tier > g.targetTier) {
    problems.push(
      `classified at tier ${tier}, above the target tier ${g.targetTier} of the downstream environment: the ${g.method} did not reach its target`,
    );
  }
  return problems;
}
