import { describe, expect, it } from 'vitest';
import {
  findingAnnotations,
  MAX_SECTION_CHARS,
  renderFindingsSection,
} from '../../action/src/action/report-findings.js';
import type { CollectionFindings, RequestFinding } from '../../action/src/app/scan-request.js';

const finding = (file: string, line: number, extra: Partial<RequestFinding> = {}): RequestFinding => ({
  rule: 'small-cell',
  severity: 'advice',
  file,
  line,
  column: 7,
  cell: `B${line}`,
  basis: 'inferred',
  message: `count 4 in column 'count' is below the threshold of 10 <b>@alice</b>`,
  advice: 'suppress it or combine categories',
  manifest: { line: 12, column: 9 },
  ...extra,
});

describe('findings in the sticky comment', () => {
  it('groups per collection and file, lists blocking first, caps per file and overall', () => {
    const many: CollectionFindings[] = ['a', 'b'].map((c) => ({
      collection: c,
      unreadable: [],
      findings: Array.from({ length: 400 }, (_, f) =>
        Array.from({ length: 30 }, (_, l) => finding(`t/${'x'.repeat(200)}-${f}.csv`, l + 2)),
      ).flat(),
    }));
    many[0]!.findings[5] = finding(many[0]!.findings[5]!.file, 99, {
      severity: 'blocking',
      rule: 'p-percent',
    });
    const text = renderFindingsSection(many).join('\n');
    expect(text.length).toBeLessThan(MAX_SECTION_CHARS + 2000);
    expect(text).toContain('24000 findings: 1 blocking, 0 acknowledged');
    expect(text).toContain('**a**');
    expect(text).toMatch(/ {2}- … and 20 more in this file/);
    expect(text).toMatch(/… and \d+ more findings in other files \(run `egress-gate check` for all\)\./);
    const firstFile = text.split('\n').findIndex((l) => l.startsWith('- `t/'));
    expect(text.split('\n')[firstFile + 1]).toContain('p-percent (**blocking** · inferred)');
    // User text is escaped: no HTML, no mentions.
    expect(text).not.toContain('<b>');
    expect(text).not.toContain('@alice');
  });

  it('says when nothing was found, and nothing when the outputs were not read', () => {
    expect(renderFindingsSection([{ collection: 'a', findings: [], unreadable: [] }])).toContain(
      'No findings in the outputs (advisory).',
    );
    expect(renderFindingsSection(undefined)).toEqual([]);
  });

  it('annotates open findings at the item line in the manifest, not acknowledged ones', () => {
    const annotations = findingAnnotations(
      [
        {
          collection: 'a',
          unreadable: [],
          findings: [finding('t.csv', 3), finding('t.csv', 4, { acknowledged: { reason: 'ok' } })],
        },
      ],
      'requests/r.yaml',
      'outputs',
    );
    expect(annotations).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: 'requests/r.yaml',
        startLine: 12,
        startColumn: 9,
      }),
      expect.objectContaining({ severity: 'warning', file: 'outputs/t.csv', startLine: 3, startColumn: 7 }),
    ]);
    expect(annotations[0]!.message).toMatch(/^small-cell \(inferred\): t\.csv:3:7 \(B3\): count 4/);
  });
});
