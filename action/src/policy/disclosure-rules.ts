/**
 * The disclosure-risk rules as the policy configures them, and the one policy rule that turns
 * findings into a decision: a finding of a rule the policy makes `blocking` blocks its collection
 * unless it is acknowledged in the manifest (and the rule allows acknowledgement). Pure: findings
 * are computed elsewhere (app/scan-request.ts) and passed in as data.
 */
import type { Collection } from '../manifest/types.js';
import type {
  DisclosureFact,
  DisclosureRuleSetting,
  DisclosureSeverity,
  Policy,
  PolicyFacts,
} from './types.js';

/** Every rule egress-gate checks; the policy schema lists the same ids. */
export const disclosureRuleIds = [
  'small-cell',
  'zero-cell',
  'missing-cell',
  'unrounded-count',
  'magnitude-contributors',
  'p-percent',
  'nk-dominance',
  'differencing',
  'residual-dof',
  'declaration-mismatch',
  'identifier-column',
  'email-address',
  'phone-number',
  'uk-postcode',
  'nhs-number',
  'date-of-birth',
  'precise-date',
  'precise-coordinates',
  'ip-address',
  'free-text',
  'notebook-output',
  'image-gps',
  'file-too-large',
  'archive',
  'unmatched-acknowledgement',
] as const;

export type DisclosureRuleId = (typeof disclosureRuleIds)[number];

/** A rule with every setting decided (policy value, else the default). */
export interface ResolvedRule {
  enabled: boolean;
  severity: DisclosureSeverity;
  /** The rule's number: minimum count, base, percentage, bytes, characters — see `ruleDefaults`. */
  threshold?: number;
  /** nk-dominance: how many largest contributions. */
  n?: number;
  /** Whether an acknowledgement in the manifest stops a blocking finding from blocking. */
  acknowledgeable: boolean;
}

export type ResolvedRules = Record<DisclosureRuleId, ResolvedRule>;

/** ACRO/SACRO's defaults: threshold 10, p% 10, nk n=2 k=90%, residual degrees of freedom 10. */
function ruleDefaults(
  policy: Pick<Policy, 'disclosure'>,
): Partial<Record<DisclosureRuleId, Partial<ResolvedRule>>> {
  const min = policy.disclosure.minCellCount;
  return {
    'small-cell': { threshold: min },
    'magnitude-contributors': { threshold: min },
    'p-percent': { threshold: 10 },
    'nk-dominance': { threshold: 90, n: 2 },
    differencing: { threshold: min },
    'residual-dof': { threshold: 10 },
    'free-text': { threshold: 50 },
    'file-too-large': { threshold: policy.disclosure.maxFileBytes },
  };
}

export function resolveDisclosureRules(policy: Pick<Policy, 'disclosure'>): ResolvedRules {
  const defaults = ruleDefaults(policy);
  const configured: Record<string, DisclosureRuleSetting> = policy.disclosure.rules ?? {};
  const out = {} as ResolvedRules;
  for (const id of disclosureRuleIds) {
    const d = defaults[id] ?? {};
    const c = configured[id] ?? {};
    const rule: ResolvedRule = {
      enabled: c.enabled ?? true,
      severity: c.severity ?? 'advice',
      acknowledgeable: c.acknowledgeable ?? true,
    };
    const threshold = c.threshold ?? d.threshold;
    if (threshold !== undefined) rule.threshold = threshold;
    const n = c.n ?? d.n;
    if (n !== undefined) rule.n = n;
    out[id] = rule;
  }
  return out;
}

/**
 * Problems that block the collection: unacknowledged findings of blocking rules, named by rule.
 * The policy decides the severity, not the finding. `findings: undefined` means the outputs were
 * not scanned (not `[]`, which means scanned and clean): a policy with any enabled blocking rule
 * then blocks, because nothing shows the rule is met.
 */
export function checkBlockingFindings(collection: Collection, facts: PolicyFacts): string[] {
  const rules = resolveDisclosureRules(facts.policy);
  if (facts.findings === undefined) return notScanned(rules, facts.policy.name);
  const mine = facts.findings.filter((f) => f.collection === collection.name);
  const blocking = mine.filter((f) => {
    const rule = rules[f.rule as DisclosureRuleId];
    if (!rule?.enabled || rule.severity !== 'blocking') return false;
    return !(f.acknowledged && rule.acknowledgeable);
  });
  const byRule = new Map<string, DisclosureFact[]>();
  for (const f of blocking) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  return [...byRule.entries()].map(([rule, found]) => {
    const first = found[0]!;
    const where = first.line > 0 ? `${first.file}:${first.line}:${first.column}` : first.file;
    const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
    const ack = rules[rule as DisclosureRuleId]?.acknowledgeable
      ? ', or acknowledge it in the manifest with a reason'
      : '';
    return `disclosure rule '${rule}' is blocking in policy ${facts.policy.name}: ${where}: ${first.message}${more}; what to do: ${first.advice}${ack}`;
  });
}

/** Enabled rules the policy makes `blocking`, in the order `disclosureRuleIds` lists them. */
export function blockingRuleIds(rules: ResolvedRules): DisclosureRuleId[] {
  return disclosureRuleIds.filter((id) => rules[id].enabled && rules[id].severity === 'blocking');
}

function notScanned(rules: ResolvedRules, policyName: string): string[] {
  const blocking = blockingRuleIds(rules);
  if (blocking.length === 0) return [];
  const named = blocking.map((id) => `'${id}'`).join(', ');
  const makes = blocking.length === 1 ? `rule ${named}` : `rules ${named}`;
  return [
    `policy ${policyName} makes ${makes} blocking, and the outputs were not scanned here: what to do: run the check where the outputs are (set 'outputs-root' for the review, or run 'egress-gate evaluate' without --skip-pins in the checkout that has them)`,
  ];
}
