import { describe, expect, it } from 'vitest';
import { getBuiltinPolicyText } from '../../action/src/policy/builtin-policies.js';
import { resolveDisclosureRules } from '../../action/src/policy/disclosure-rules.js';
import { evaluatePolicy } from '../../action/src/policy/evaluate.js';
import { parsePolicy } from '../../action/src/policy/parse-policy.js';
import type { DisclosureFact } from '../../action/src/policy/types.js';
import { buildFacts, threeApprovals, turingPolicy } from './builders.js';

const smallCell = (extra: Partial<DisclosureFact> = {}): DisclosureFact => ({
  collection: 'report-inputs',
  rule: 'small-cell',
  file: 'tables/t.csv',
  line: 3,
  column: 7,
  message: "count 4 in column 'count' is below the threshold of 10",
  advice: 'suppress it or combine categories',
  acknowledged: false,
  ...extra,
});

function blockingPolicy(rule = 'small-cell', acknowledgeable = true) {
  const policy = turingPolicy();
  policy.name = 'strict';
  policy.disclosure.rules = { [rule]: { severity: 'blocking', acknowledgeable } };
  return policy;
}

describe('disclosure rules in the policy', () => {
  it('keeps every rule advisory in the Turing default, with ACRO thresholds', () => {
    const rules = resolveDisclosureRules(turingPolicy());
    expect(Object.values(rules).every((r) => r.severity === 'advice' && r.enabled)).toBe(true);
    expect(rules['small-cell'].threshold).toBe(10);
    expect(rules['p-percent'].threshold).toBe(10);
    expect(rules['nk-dominance']).toMatchObject({ n: 2, threshold: 90 });
    expect(rules['residual-dof'].threshold).toBe(10);
  });

  it('Turing: a finding never changes the state — three tier-1 approvals clear', () => {
    const result = evaluatePolicy(buildFacts({ reviews: threeApprovals(1), findings: [smallCell()] }));
    expect(result.collections[0]!.state).toBe('cleared');
  });

  it('a blocking rule in a custom policy turns the collection blocked, naming the rule', () => {
    const result = evaluatePolicy(
      buildFacts({ policy: blockingPolicy(), reviews: threeApprovals(1), findings: [smallCell()] }),
    );
    const c = result.collections[0]!;
    expect(c.state).toBe('blocked');
    expect(result.passed).toBe(false);
    expect(c.reasons.join('\n')).toContain(
      "blocked: disclosure rule 'small-cell' is blocking in policy strict: tables/t.csv:3:7: count 4",
    );
    expect(c.missing.join('\n')).toContain('acknowledge it in the manifest');
  });

  it('an acknowledged finding does not block, unless the rule refuses acknowledgements', () => {
    const ack = [smallCell({ acknowledged: true })];
    const lenient = evaluatePolicy(
      buildFacts({ policy: blockingPolicy(), reviews: threeApprovals(1), findings: ack }),
    );
    expect(lenient.collections[0]!.state).toBe('cleared');
    const strict = evaluatePolicy(
      buildFacts({ policy: blockingPolicy('small-cell', false), reviews: threeApprovals(1), findings: ack }),
    );
    expect(strict.collections[0]!.state).toBe('blocked');
  });

  it('a finding in another collection, or of another rule, does not block this one', () => {
    const result = evaluatePolicy(
      buildFacts({
        policy: blockingPolicy('p-percent'),
        reviews: threeApprovals(1),
        findings: [smallCell(), smallCell({ rule: 'p-percent', collection: 'other' })],
      }),
    );
    expect(result.collections[0]!.state).toBe('cleared');
  });

  it('outputs not scanned: a blocking rule keeps the collection from clearing, in words', () => {
    const result = evaluatePolicy(buildFacts({ policy: blockingPolicy(), reviews: threeApprovals(1) }));
    const c = result.collections[0]!;
    expect(c.state).toBe('blocked');
    expect(result.passed).toBe(false);
    expect(c.reasons.join('\n')).toContain(
      "blocked: policy strict makes rule 'small-cell' blocking, and the outputs were not scanned here",
    );
    // Scanned and clean is not the same as not scanned.
    const clean = evaluatePolicy(
      buildFacts({ policy: blockingPolicy(), reviews: threeApprovals(1), findings: [] }),
    );
    expect(clean.collections[0]!.state).toBe('cleared');
  });

  it('outputs not scanned: the all-advisory Turing default still clears', () => {
    const result = evaluatePolicy(buildFacts({ reviews: threeApprovals(1) }));
    expect(result.collections[0]!.state).toBe('cleared');
    expect(result.passed).toBe(true);
  });

  it('the policy schema refuses an unknown rule and an unknown severity at line:col', () => {
    const base = parsePolicy(
      turingYaml().replace('  rules:\n', '  rules:\n    small-cells: { severity: advice }\n'),
      'p.yaml',
    );
    expect(base.diagnostics.map((d) => d.code)).toContain('unknown-field');
    const bad = parsePolicy(
      turingYaml().replace(
        'small-cell: { severity: advice, threshold: 10 }',
        'small-cell: { severity: block }',
      ),
      'p.yaml',
    );
    expect(bad.diagnostics.map((d) => `${d.line}:${d.code}`).join(' ')).toMatch(/\d+:invalid-value/);
  });

  it('refuses a percentage over 100 and a rounding base below 2, at the threshold', () => {
    const text = turingYaml()
      .replace('nk-dominance: { severity: advice, n: 2, threshold: 90 }', 'nk-dominance: { threshold: 190 }')
      .replace('unrounded-count: { severity: advice }', 'unrounded-count: { threshold: 1 }');
    const { diagnostics } = parsePolicy(text, 'p.yaml');
    expect(diagnostics.map((d) => d.message)).toEqual([
      'the threshold of nk-dominance is 190; it must be a percentage above 0 and at most 100.',
      'the threshold of unrounded-count is 1; it must be a whole rounding base of 2 or more.',
    ]);
    expect(diagnostics.every((d) => d.line > 0)).toBe(true);
  });
});

function turingYaml(): string {
  return getBuiltinPolicyText('turing-dsh')!;
}

describe('the rule ids in the schemas', () => {
  it('are the engine rule ids, in the policy and in manifest acknowledgements', async () => {
    const { readFile } = await import('node:fs/promises');
    const { disclosureRuleIds } = await import('../../action/src/policy/disclosure-rules.js');
    const read = async (name: string) =>
      JSON.parse(await readFile(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
    const policy = await read('policy.schema.json');
    const manifest = await read('manifest.schema.json');
    expect(Object.keys(policy.properties.disclosure.properties.rules.properties)).toEqual([
      ...disclosureRuleIds,
    ]);
    expect(manifest.$defs.acknowledgement.properties.rule.enum).toEqual([...disclosureRuleIds]);
  });
});
