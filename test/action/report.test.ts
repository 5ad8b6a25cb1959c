import { describe, expect, test } from 'vitest';
import { escapeLogin, escapeText } from '../../action/src/action/escape.js';
import { labelsOf, planLabels, renderComment, statusOf } from '../../action/src/action/report.js';
import type { ReviewOutcome, ReviewState } from '../../action/src/app/review.js';

function outcome(state: ReviewState, extra: Partial<ReviewOutcome> = {}): ReviewOutcome {
  return {
    pull: {
      number: 7,
      title: 't',
      author: 'erin',
      state: 'open',
      merged: false,
      headSha: 'a'.repeat(40),
      headRef: 'r',
      baseSha: 'b'.repeat(40),
      baseRef: 'main',
      labels: [],
    },
    state,
    passed: state === 'cleared' || state === 'no-request',
    refusals: [],
    diagnostics: [],
    notes: [],
    requestId: 'req-1',
    ...extra,
  };
}

describe('escapeText', () => {
  test.each([
    ['@alice please look', '@\u200Dalice please look'],
    ['@org/team', '@\u200Dorg/team'],
    ['mail a@b.c', 'mail a@\u200Db.c'],
    ['<script>x</script>', '&lt;script&gt;x&lt;/script&gt;'],
    ['<!-- egress-gate:review -->', '&lt;\\!-- egress-gate:review --&gt;'],
    ['![pixel](https://t.example/p.png)', '\\!\\[pixel\\](https://t.example/p.png)'],
    ['a | b', 'a \\| b'],
    ['line\nbreak', 'line break'],
    ['issue #12', 'issue \\#12'],
  ])('%j → %j', (input, expected) => {
    expect(escapeText(input)).toBe(expected);
  });

  test('cuts long text', () => {
    expect(escapeText('x'.repeat(1000), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  test('a login stays readable but notifies nobody', () => {
    expect(escapeLogin('bob')).toBe('@\u200Dbob');
  });
});

describe('status and labels follow the state', () => {
  test.each<[ReviewState, number | undefined, string, string[]]>([
    ['cleared', 1, 'success', ['egress:cleared', 'egress:tier-1']],
    ['awaiting-review', undefined, 'pending', ['egress:needs-review']],
    ['needs-discussion', undefined, 'pending', ['egress:needs-discussion']],
    ['changes-requested', undefined, 'failure', ['egress:blocked']],
    ['blocked', 3, 'failure', ['egress:blocked', 'egress:tier-3']],
    ['invalid', undefined, 'failure', ['egress:blocked']],
    ['refused', undefined, 'failure', ['egress:blocked']],
    ['no-request', undefined, 'success', []],
  ])('%s', (state, tier, status, labels) => {
    const o = outcome(state, tier === undefined ? {} : { tier });
    const s = statusOf(o, { forge: 'github' });
    expect(s.state).toBe(status);
    expect(s.context).toBe('egress-gate');
    expect(s.description.length).toBeLessThanOrEqual(140);
    expect(labelsOf(o)).toEqual(labels);
  });

  test('only egress labels are touched, and delivered is left to release mode', () => {
    expect(
      planLabels(['bug', 'egress:needs-review', 'egress:delivered'], ['egress:cleared', 'egress:tier-1']),
    ).toEqual({
      add: ['egress:cleared', 'egress:tier-1'],
      remove: ['egress:needs-review'],
    });
    expect(planLabels(['egress:cleared'], ['egress:cleared'])).toEqual({ add: [], remove: [] });
  });
});

describe('the comment', () => {
  test('starts with the hidden marker and lists problems with their location', () => {
    const body = renderComment(
      outcome('invalid', {
        diagnostics: [
          {
            file: 'requests/req-1.yaml',
            line: 9,
            column: 18,
            pointer: '/collections/0/destination',
            code: 'unknown-destination',
            severity: 'error',
            message: "destination 'email' is not configured `<b>@x`",
          },
        ],
      }),
      { forge: 'gitea' },
    );
    expect(body.startsWith('<!-- egress-gate:review -->\n')).toBe(true);
    expect(body).toContain(
      "- `requests/req-1.yaml:9:18: unknown-destination: destination 'email' is not configured '<b>@x'`",
    );
  });

  test('refusals are spelled out', () => {
    const body = renderComment(
      outcome('refused', { refusals: ['This pull request touches more than one request.'] }),
      {
        forge: 'github',
      },
    );
    expect(body).toContain('#### Refused');
    expect(body).toContain('- This pull request touches more than one request.');
  });
});
