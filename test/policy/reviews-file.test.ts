import { describe, expect, it } from 'vitest';
import { parseReviewsFile } from '../../action/src/policy/reviews-file.js';
import { formatDiagnostic } from '../../action/src/shared/diagnostics.js';

describe('parseReviewsFile', () => {
  it('reads the SPEC §6 format; ids default to positions', () => {
    const text = [
      'author: alice',
      'head: 5f3c9e1',
      'merger: dora',
      'reviews:',
      '  - user: bob',
      '    state: APPROVED',
      '    commit: 5f3c9e1',
      '    body: |',
      '      Checked every figure.',
      '      tier: 1',
      '  - {id: 9001, user: carol, state: commented, commit: 5f3c9e1, dismissed: false, stale: true}',
    ].join('\n');
    const { reviewsFile, diagnostics } = parseReviewsFile(text, 'r.yaml');
    expect(diagnostics).toEqual([]);
    expect(reviewsFile).toEqual({
      author: 'alice',
      head: '5f3c9e1',
      merger: 'dora',
      reviews: [
        {
          id: '1',
          user: 'bob',
          state: 'APPROVED',
          commit: '5f3c9e1',
          body: 'Checked every figure.\ntier: 1\n',
        },
        {
          id: '9001',
          user: 'carol',
          state: 'COMMENTED',
          commit: '5f3c9e1',
          body: '',
          dismissed: false,
          stale: true,
        },
      ],
    });
  });

  const bad: { name: string; text: string; expected: RegExp }[] = [
    {
      name: 'no author',
      text: 'reviews: []',
      expected: /r.yaml:1:1: missing-field: the document is missing the required field 'author'/,
    },
    {
      name: 'an unknown state',
      text: 'author: a\nreviews:\n  - {user: b, state: LGTM}',
      expected: /r.yaml:3:22: invalid-value: .*'LGTM'; allowed: 'APPROVED'/,
    },
    {
      name: 'a short commit',
      text: 'author: a\nreviews:\n  - {user: b, state: APPROVED, commit: abc}',
      expected:
        /r.yaml:3:40: invalid-value: 'reviews.0.commit' is 'abc'; write the commit sha \(at least 7 hex digits\)/,
    },
    {
      name: 'a review without a commit when head is set',
      text: 'author: a\nhead: 5f3c9e1\nreviews:\n  - {user: b, state: APPROVED}',
      expected: /r.yaml:4:5: missing-field: review 1 by 'b' has no commit/,
    },
    {
      name: 'an unknown field',
      text: 'author: a\nreviews: []\nbase: x',
      expected: /r.yaml:3:1: unknown-field: unknown field 'base'/,
    },
    {
      name: 'a duplicate id',
      text: 'author: a\nreviews:\n  - {id: 1, user: b, state: APPROVED}\n  - {id: 1, user: c, state: APPROVED}',
      expected: /duplicate-id: review id '1' is used twice/,
    },
    {
      name: 'duplicate keys',
      text: 'author: a\nauthor: b\nreviews: []',
      expected: /r.yaml:2:1: duplicate-key/,
    },
  ];
  it.each(bad)('$name', ({ text, expected }) => {
    const { reviewsFile, diagnostics } = parseReviewsFile(text, 'r.yaml');
    expect(reviewsFile).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic).join('\n')).toMatch(expected);
  });
});

describe('the reviews-file schema ships', () => {
  it('errors name schemas/reviews-file.schema.json, which is in the package and is the schema used', async () => {
    const { readFileSync } = await import('node:fs');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const parsed = parseReviewsFile(
      'author: alice\nreviews:\n  - user: bob\n    state: APPROVED\n    tier: 1\n',
      'r.yaml',
    );
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]!.message).toBe(
      "unknown field 'tier' in 'reviews.0'; allowed: id, user, state, commit, body, submittedAt, dismissed, stale. The format: schemas/reviews-file.schema.json.",
    );
    const schema = JSON.parse(readFileSync(`${root}schemas/reviews-file.schema.json`, 'utf8'));
    expect(schema.required).toEqual(['author', 'reviews']);
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    expect(pkg.files).toContain('schemas');
  });
});
