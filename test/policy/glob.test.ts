import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchGlob } from '../../action/src/policy/glob.js';

describe('matchGlob', () => {
  const cases: [string, string, boolean][] = [
    ['tables/*.csv', 'tables/a.csv', true],
    ['tables/*.csv', 'tables/sub/a.csv', false],
    ['tables/**/*.csv', 'tables/a.csv', true],
    ['tables/**/*.csv', 'tables/x/y/a.csv', true],
    ['tables/**', 'tables/x/y/a.csv', true],
    ['**/*.md', 'a.md', true],
    ['**/*.md', 'docs/a.md', true],
    ['report/table-?.csv', 'report/table-1.csv', true],
    ['report/table-?.csv', 'report/table-10.csv', false],
    ['report/table-?.csv', 'report/table-/.csv', false],
    ['*.csv', 'a.tsv', false],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    // Regular-expression characters are literal.
    ['data/(a|b).csv', 'data/(a|b).csv', true],
    ['data/(a|b).csv', 'data/a.csv', false],
    ['data/a.csv', 'data/aXcsv', false],
    ['data/[ab].csv', 'data/a.csv', false],
    ['data/a+.csv', 'data/aa.csv', false],
  ];
  it.each(cases)('%s against %s → %s', (pattern, path, expected) => {
    expect(matchGlob(pattern, path)).toBe(expected);
  });

  it('a literal pattern matches exactly itself, whatever characters it holds', () => {
    const segment = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[*?/]/.test(s) && s !== '.');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), segment, (parts, other) => {
        const path = parts.join('/');
        expect(matchGlob(path, path)).toBe(true);
        if (other !== parts.at(-1))
          expect(matchGlob(path, [...parts.slice(0, -1), other].join('/'))).toBe(false);
      }),
    );
  });

  it('stays fast on patterns with many stars', () => {
    // Backtracking matchers take exponential time here; this one is linear in pattern × name.
    expect(matchGlob(`${'*a'.repeat(30)}b`, 'a'.repeat(60))).toBe(false);
  });
});
