import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../action/src/app/load-policy.js';
import { builtinPolicyNames, getBuiltinPolicyText } from '../../action/src/policy/builtin-policies.js';
import { parsePolicy } from '../../action/src/policy/parse-policy.js';
import { formatDiagnostic } from '../../action/src/shared/diagnostics.js';
import type { RepoFiles } from '../../action/src/shared/repo-files.js';

const turing = getBuiltinPolicyText('turing-dsh')!;

function memoryFiles(files: Record<string, string>): RepoFiles {
  return {
    label: 'test tree',
    readText: async (path) => files[path],
    listFiles: async () => [],
  };
}

describe('the built-in Turing policy', () => {
  it('is valid and says what the seeds say', () => {
    const { policy, diagnostics } = parsePolicy(turing, 'turing-dsh.yaml');
    expect(diagnostics).toEqual([]);
    expect(policy!.tiers.map((t) => t.tier)).toEqual([0, 1, 2, 3, 4]);
    expect(policy!.classifyingRoles.map((r) => r.id)).toEqual([
      'investigator',
      'data-provider-representative',
      'referee',
    ]);
    expect(policy!.releasingRole.id).toBe('system-manager');
    expect(policy!.releaseMaxTier).toBe(1);
    expect(policy!.discussion.onNoAgreement).toBe('highest');
    expect(policy!.sensitive.fromTier).toBe(2);
    expect(policy!.sensitive.treatments).toEqual(['pseudonymise', 'aggregate', 'remove']);
    expect(policy!.generatedDatasets.methods).toEqual(['anonymisation', 'pseudonymisation', 'synthetic']);
    expect(builtinPolicyNames).toContain('turing-dsh');
  });
});

describe('parsePolicy: problems at file:line:col', () => {
  const cases: { name: string; edit: (t: string) => string; expected: RegExp }[] = [
    {
      name: 'an unknown field',
      edit: (t) => t.replace('releaseMaxTier: 1', 'releaseMaxTier: 1\nreleaseMinTier: 0'),
      expected: /^p.yaml:\d+:1: unknown-field: unknown field 'releaseMinTier'/m,
    },
    {
      name: 'a missing section',
      edit: (t) => t.replace(/^disclosure:\n( {2}.*\n)+/m, ''),
      expected: /missing-field: the document is missing the required field 'disclosure'/,
    },
    {
      name: 'an unknown treatment',
      edit: (t) =>
        t.replace('treatments: [pseudonymise, aggregate, remove]', 'treatments: [pseudonymise, shred]'),
      expected:
        /invalid-value: 'sensitive.treatments.1' is 'shred'; allowed: 'pseudonymise', 'aggregate', 'remove'/,
    },
    {
      name: 'releaseMaxTier that is not a tier',
      edit: (t) => t.replace('releaseMaxTier: 1', 'releaseMaxTier: 7'),
      expected: /unknown-tier: releaseMaxTier 7 is not one of the policy's tiers \(0, 1, 2, 3, 4\)/,
    },
    {
      name: 'a discussion attendee role that does not classify',
      edit: (t) =>
        t.replace(
          'requiredAttendees: [investigator, data-provider-representative, referee]',
          'requiredAttendees: [investigator, auditor]',
        ),
      expected: /unknown-role: 'auditor' is not a classifying role of this policy/,
    },
    {
      name: 'the releasing role also classifying',
      edit: (t) => t.replace('  id: system-manager', '  id: referee'),
      expected: /releasing role 'referee' must not also be a classifying role/,
    },
    {
      name: 'a tier defined twice',
      edit: (t) => t.replace('  - tier: 4', '  - tier: 3'),
      expected: /duplicate-tier: tier 3 is defined twice/,
    },
    {
      name: 'a duplicate key',
      edit: (t) => t.replace('releaseMaxTier: 1', 'releaseMaxTier: 1\nreleaseMaxTier: 2'),
      expected: /duplicate-key/,
    },
  ];
  it.each(cases)('$name', ({ edit, expected }) => {
    const text = edit(turing);
    expect(text).not.toBe(turing);
    const { policy, diagnostics } = parsePolicy(text, 'p.yaml');
    expect(policy).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic).join('\n')).toMatch(expected);
  });
});

describe('loadPolicy', () => {
  it('prefers a built-in name, reads a path from the repository, and explains what it cannot load', async () => {
    const custom = turing.replace('name: turing-dsh', 'name: strict');
    const files = memoryFiles({ 'policies/strict.yaml': custom, 'policies/broken.yaml': 'name: [' });
    expect((await loadPolicy('turing-dsh', files)).policy?.name).toBe('turing-dsh');
    expect((await loadPolicy('policies/strict.yaml', files)).policy?.name).toBe('strict');
    const cases: [string, RegExp][] = [
      [
        'policies/missing.yaml',
        /missing-policy: the policy file 'policies\/missing.yaml' does not exist in test tree/,
      ],
      ['strict', /unknown-policy: 'strict' is not a built-in policy \(built-in: turing-dsh\)/],
      ['../outside.yaml', /unsafe-path/],
      ['policies/broken.yaml', /policies\/broken.yaml:\d+:\d+: yaml-syntax/],
    ];
    for (const [name, expected] of cases) {
      const loaded = await loadPolicy(name, files);
      expect(loaded.policy).toBeUndefined();
      expect(loaded.diagnostics.map(formatDiagnostic).join('\n')).toMatch(expected);
    }
  });
});

describe('schemas/policy.schema.json', () => {
  it('describes every field and allows no unknown ones', async () => {
    const schema = JSON.parse(
      await readFile(new URL('../../schemas/policy.schema.json', import.meta.url), 'utf8'),
    );
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toMatch(/policy\.schema\.json$/);
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      if (node['type'] === 'object') expect(node['additionalProperties'], path).toBe(false);
      const properties = (node['properties'] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, child] of Object.entries(properties)) {
        if (typeof child['description'] !== 'string') undescribed.push(`${path}/${name}`);
        walk(child, `${path}/${name}`);
      }
      const items = node['items'] as Record<string, unknown> | undefined;
      if (items) walk(items, `${path}/items`);
    };
    walk(schema, '');
    for (const [name, def] of Object.entries(schema.$defs as Record<string, Record<string, unknown>>))
      walk(def, `$defs/${name}`);
    expect(undescribed).toEqual([]);
  });
});
