import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanRequestOutputs } from '../../action/src/app/scan-request.js';
import type { Acknowledgement } from '../../action/src/manifest/types.js';
import { corpusManifest, turing } from './corpus.js';

const dir = join(import.meta.dirname, '../fixtures/disclosure');

async function scan(files: string[], acknowledged: Acknowledgement[]) {
  const [c] = await scanRequestOutputs({ ...corpusManifest(files), acknowledged }, dir, turing);
  return c!.findings.map((f) => [f.file, f.rule, f.line, f.cell ?? '', f.acknowledged?.reason ?? '']);
}

describe('acknowledgements', () => {
  it('by cell: only that table cell; the other finding stays open', async () => {
    expect(
      await scan(
        ['zeros-missing.csv'],
        [{ rule: 'missing-cell', file: 'zeros-missing.csv', cell: 'b4', reason: 'NA: not collected' }],
      ),
    ).toEqual([
      ['zeros-missing.csv', 'zero-cell', 2, 'B2', ''],
      ['zeros-missing.csv', 'missing-cell', 3, 'B3', ''],
      ['zeros-missing.csv', 'missing-cell', 4, 'B4', 'NA: not collected'],
    ]);
  });

  it('by notebook cell number, and by line', async () => {
    const found = await scan(
      ['analysis-with-outputs.ipynb', 'identifiers.txt'],
      [
        {
          rule: 'notebook-output',
          file: 'analysis-with-outputs.ipynb',
          cell: '4',
          reason: 'the plot is figure 2',
        },
        { rule: 'ip-address', file: 'identifiers.txt', line: 5, reason: 'the gateway, not a person' },
      ],
    );
    expect(found.filter((f) => f[4] !== '').map((f) => [f[1], f[3] || f[2]])).toEqual([
      ['notebook-output', '4'],
      ['ip-address', 5],
    ]);
    expect(found.filter((f) => f[4] === '')).toHaveLength(6);
  });

  it('one that matches nothing (wrong rule, line or file) is reported, once per acknowledgement', async () => {
    const found = await scan(
      ['counts-at-threshold.csv'],
      [
        { rule: 'small-cell', file: 'counts-at-threshold.csv', line: 2, reason: 'line 2 is 10: never small' },
        { rule: 'small-cell', file: 'missing.csv', reason: 'typo in the file name' },
        { rule: 'small-cell', file: 'counts-at-threshold.csv', reason: 'a real one' },
      ],
    );
    expect(found.filter((f) => f[1] === 'unmatched-acknowledgement').map((f) => [f[0], f[2]])).toEqual([
      ['counts-at-threshold.csv', 2],
      ['missing.csv', 0],
    ]);
    expect(found).toContainEqual(['counts-at-threshold.csv', 'small-cell', 3, 'B3', 'a real one']);
  });
});
