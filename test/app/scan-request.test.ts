import { describe, expect, it } from 'vitest';
import { findingsCanBlock } from '../../action/src/app/scan-request.js';
import { getBuiltinPolicyText } from '../../action/src/policy/builtin-policies.js';
import { parsePolicy } from '../../action/src/policy/parse-policy.js';
import type { Policy } from '../../action/src/policy/types.js';

// pack and the release skip the disclosure scan exactly when no finding could block.
describe('findingsCanBlock', () => {
  const turing = parsePolicy(getBuiltinPolicyText('turing-dsh')!, 'policies/turing-dsh.yaml').policy!;
  const withRules = (rules: Policy['disclosure']['rules']): Policy => ({
    ...turing,
    disclosure: { ...turing.disclosure, rules: { ...turing.disclosure.rules, ...rules } },
  });

  it('is false for the Turing default, whose every rule is advice', () => {
    expect(findingsCanBlock(turing)).toBe(false);
  });

  it.each([
    [{ 'small-cell': { severity: 'blocking' } }, true],
    [{ 'image-gps': { severity: 'blocking' } }, true],
    [{ 'small-cell': { severity: 'blocking', enabled: false } }, false],
    [{ 'small-cell': { severity: 'advice' } }, false],
  ] as [Policy['disclosure']['rules'], boolean][])('%j → %s', (rules, expected) => {
    expect(findingsCanBlock(withRules(rules))).toBe(expected);
  });
});
