/** Policy text → a checked `Policy`, or diagnostics at file:line:col. */

import { loadSchemaFunctions } from '../manifest/compiled-schemas.js';
import { diagnosticAt, type ParsedYaml, parseYaml } from '../manifest/parse-yaml.js';
import { mapSchemaErrors } from '../manifest/schema.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { Policy } from './types.js';

export interface ParsedPolicy {
  /** Present only when the text is free of errors. */
  policy?: Policy;
  diagnostics: Diagnostic[];
}

export interface PolicyParser {
  parse(text: string, file: string): ParsedPolicy;
}

/** Compiles the policy schema once; keep the parser rather than calling `parsePolicy` in a loop. */
export function createPolicyParser(): PolicyParser {
  const validate = loadSchemaFunctions()('policy');
  return {
    parse(text, file) {
      const parsed = parseYaml(text, file);
      if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };
      if (parsed.value === null || parsed.value === undefined) {
        return {
          diagnostics: [
            {
              file,
              line: 0,
              column: 0,
              pointer: '',
              code: 'empty-file',
              severity: 'error',
              message: 'the policy file is empty.',
            },
          ],
        };
      }
      if (!validate(parsed.value)) return { diagnostics: mapSchemaErrors(parsed, validate.errors ?? []) };
      const policy = parsed.value as Policy;
      const diagnostics = checkPolicySemantics(parsed, policy);
      return diagnostics.length > 0 ? { diagnostics } : { policy, diagnostics };
    },
  };
}

export function parsePolicy(text: string, file: string): ParsedPolicy {
  return createPolicyParser().parse(text, file);
}

/** What the schema cannot say: references between fields. */
function checkPolicySemantics(parsed: ParsedYaml, policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const tiers = policy.tiers.map((t) => t.tier);
  policy.tiers.forEach((t, i) => {
    if (tiers.indexOf(t.tier) !== i) {
      out.push(
        diagnosticAt(
          parsed,
          `/tiers/${i}/tier`,
          'duplicate-tier',
          `tier ${t.tier} is defined twice; define each tier once.`,
        ),
      );
    }
  });
  const classifying = policy.classifyingRoles.map((r) => r.id);
  policy.classifyingRoles.forEach((r, i) => {
    if (classifying.indexOf(r.id) !== i) {
      out.push(
        diagnosticAt(
          parsed,
          `/classifyingRoles/${i}/id`,
          'duplicate-role',
          `role '${r.id}' is listed twice.`,
        ),
      );
    }
  });
  if (classifying.includes(policy.releasingRole.id)) {
    out.push(
      diagnosticAt(
        parsed,
        '/releasingRole/id',
        'invalid-value',
        `the releasing role '${policy.releasingRole.id}' must not also be a classifying role: the person who releases must not be one who classifies in that role.`,
      ),
    );
  }
  const tierRef = (pointer: string, value: number, what: string) => {
    if (!tiers.includes(value)) {
      out.push(
        diagnosticAt(
          parsed,
          pointer,
          'unknown-tier',
          `${what} ${value} is not one of the policy's tiers (${tiers.join(', ')}).`,
        ),
      );
    }
  };
  tierRef('/releaseMaxTier', policy.releaseMaxTier, 'releaseMaxTier');
  tierRef('/sensitive/fromTier', policy.sensitive.fromTier, 'sensitive.fromTier');
  const roleRefs = (pointer: string, ids: readonly string[]) => {
    ids.forEach((id, i) => {
      if (!classifying.includes(id)) {
        out.push(
          diagnosticAt(
            parsed,
            `${pointer}/${i}`,
            'unknown-role',
            `'${id}' is not a classifying role of this policy (${classifying.join(', ')}).`,
          ),
        );
      }
    });
  };
  roleRefs('/discussion/requiredAttendees', policy.discussion.requiredAttendees);
  roleRefs('/preApproval/defaultRoles', policy.preApproval.defaultRoles);
  out.push(...checkDisclosureThresholds(parsed, policy));
  return out;
}

/** Thresholds the schema cannot bound per rule: percentages, and a rounding base. */
function checkDisclosureThresholds(parsed: ParsedYaml, policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rules = policy.disclosure.rules ?? {};
  const bad = (rule: string, allowed: string) =>
    out.push(
      diagnosticAt(
        parsed,
        `/disclosure/rules/${rule}/threshold`,
        'invalid-value',
        `the threshold of ${rule} is ${rules[rule]?.threshold}; it must be ${allowed}.`,
      ),
    );
  for (const rule of ['p-percent', 'nk-dominance']) {
    const t = rules[rule]?.threshold;
    if (t !== undefined && (t <= 0 || t > 100)) bad(rule, 'a percentage above 0 and at most 100');
  }
  const base = rules['unrounded-count']?.threshold;
  if (base !== undefined && (!Number.isInteger(base) || base < 2))
    bad('unrounded-count', 'a whole rounding base of 2 or more');
  return out;
}
