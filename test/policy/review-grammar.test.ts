import { describe, expect, it } from 'vitest';
import { parseTiers } from '../../action/src/policy/review-grammar.js';
import { turingPolicy } from './builders.js';

const policy = turingPolicy();
const names = ['report-inputs', 'data-provider-handover'];

describe('parseTiers: valid bodies', () => {
  const cases: { body: string; expected: Record<string, number> }[] = [
    { body: 'tier: 1', expected: { 'report-inputs': 1, 'data-provider-handover': 1 } },
    { body: 'TIER: 0', expected: { 'report-inputs': 0, 'data-provider-handover': 0 } },
    {
      body: 'Checked every figure.\n\nTier: 1\nThanks!',
      expected: { 'report-inputs': 1, 'data-provider-handover': 1 },
    },
    { body: 'tier report-inputs: 1', expected: { 'report-inputs': 1 } },
    {
      body: 'Tier Report-Inputs: 1\ntier data-provider-handover: 3',
      expected: { 'report-inputs': 1, 'data-provider-handover': 3 },
    },
    {
      body: '- tier report-inputs: 2\n* tier data-provider-handover: 2',
      expected: { 'report-inputs': 2, 'data-provider-handover': 2 },
    },
    { body: '`tier: 1`', expected: { 'report-inputs': 1, 'data-provider-handover': 1 } },
    { body: '**tier: 4**', expected: { 'report-inputs': 4, 'data-provider-handover': 4 } },
    { body: 'tier:1\r\n', expected: { 'report-inputs': 1, 'data-provider-handover': 1 } },
    // The same tier twice is not a conflict.
    { body: 'tier: 1\ntier report-inputs: 1', expected: { 'report-inputs': 1, 'data-provider-handover': 1 } },
    // Prose that merely mentions tiers, and quoted text, is not a classification.
    { body: 'Tier 2 items were removed before this review.\nTiers: see the handbook', expected: {} },
    { body: '> tier: 3\ntier: 1', expected: { 'report-inputs': 1, 'data-provider-handover': 1 } },
    // Fenced blocks are quoted material too (a pasted earlier review, a log), whatever the fence.
    {
      body: 'Earlier I wrote:\n```\ntier: 3\n```\ntier: 1',
      expected: { 'report-inputs': 1, 'data-provider-handover': 1 },
    },
    { body: '~~~~ text\ntier: 7\n```\ntier: 2\n~~~~\n', expected: {} },
    { body: 'LGTM', expected: {} },
  ];
  it.each(cases)('$body', ({ body, expected }) => {
    const result = parseTiers(body, names, policy);
    expect(result.ok).toBe(true);
    if (result.ok) expect(Object.fromEntries(result.tiers)).toEqual(expected);
  });
});

describe('parseTiers: invalid bodies say why', () => {
  const cases: { body: string; message: RegExp }[] = [
    {
      body: 'tier: 5',
      message: /line 1 `tier: 5`: tier 5 does not exist in this policy \(tiers: 0, 1, 2, 3, 4\)/,
    },
    { body: 'ok\ntier: one', message: /line 2 `tier: one`: the tier must be a whole number/ },
    { body: 'tier: 1.5', message: /whole number/ },
    { body: 'tier: -1', message: /whole number/ },
    { body: 'tier: ', message: /whole number/ },
    { body: 'tier: 1 maybe 2', message: /whole number/ },
    {
      body: 'tier figures: 1',
      message:
        /no collection named 'figures' in this request \(collections: report-inputs, data-provider-handover\)/,
    },
    {
      body: 'tier: 1\ntier: 2',
      message: /lines 1 and 2 give 'report-inputs' two different tiers \(1 and 2\)/,
    },
    {
      body: 'tier: 1\ntier data-provider-handover: 3',
      message: /give 'data-provider-handover' two different tiers \(1 and 3\)/,
    },
  ];
  it.each(cases)('$body', ({ body, message }) => {
    const result = parseTiers(body, names, policy);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(message);
  });

  it('reports every bad line, not just the first', () => {
    const result = parseTiers('tier: 9\ntier nope: 1', names, policy);
    expect(result.ok ? [] : result.errors).toHaveLength(2);
  });
});
