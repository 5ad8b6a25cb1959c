import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawFinding } from '../../action/src/disclosure/finding.js';
import { type ScanFileOptions, scanOutputFile } from '../../action/src/disclosure/scan-file.js';
import {
  createLocalSieve,
  createSievePool,
  type LineSieve,
  SIEVE_COUNT,
  type SieveJob,
} from '../../action/src/disclosure/sieve/line-sieve.js';
import { createTableScanner } from '../../action/src/disclosure/tables.js';
import type { TableDeclaration } from '../../action/src/manifest/types.js';
import { resolveDisclosureRules } from '../../action/src/policy/disclosure-rules.js';

// The sieve may only skip lines the JavaScript checks would neither report nor learn from: every
// file must give exactly the findings of reading every line in JavaScript (`sieve: 'none'`).

const rules = resolveDisclosureRules({ disclosure: { minCellCount: 10, maxFileBytes: 1 << 30 } });
/** Thresholds of one to five digits: the sieve compares a count exactly as wide as its threshold
 * by its digit bytes, without parsing it. (A count of six digits or more is already reported as a
 * possible identifier, so wider thresholds cannot show the comparison at work.) */
const byThreshold = new Map(
  [1, 7, 10, 137, 1000, 12_345].map((t) => [
    t,
    resolveDisclosureRules({ disclosure: { minCellCount: t, maxFileBytes: 1 << 30 } }),
  ]),
);
const rounding = resolveDisclosureRules({
  disclosure: { minCellCount: 10, maxFileBytes: 1 << 30, rules: { 'unrounded-count': { threshold: 5 } } },
});

/** Cells that sit right at, or right beside, what some check reports. */
const NEAR_MISSES = [
  '0',
  '7',
  '9',
  '10',
  '11',
  '007',
  '00',
  '15',
  '99999',
  '6',
  '136',
  '137',
  '138',
  '0137',
  '999',
  '1000',
  '1001',
  '12344',
  '12345',
  '12346',
  '1234567890123456',
  '12.5',
  '-3',
  '1e3',
  '',
  ' ',
  ' 12 ',
  '*',
  'NA',
  'x',
  '[c]',
  '<10',
  '"10"',
  '"a,b"',
  'é',
  '\t',
  '\r',
  'a\rb',
  'a@b.co',
  'x@y',
  '+44 20 7946 0958',
  '07700 900123',
  '0 12 34567 89',
  '+44 (0)12 34567 89',
  '020-7946-0958',
  '12 34',
  '123 456',
  '123456',
  '943 476 5919',
  '943 476 5910',
  'SW1A 1AA',
  'M1 1AE',
  '1AA',
  'W1',
  '2AB',
  '51.5074',
  '-0.1278',
  '51.50',
  '1.2.3.4',
  '127.0.0.1',
  '10.200.30.4',
  '1.2.3',
  'v1.2.3',
  '::1',
  'fe80::1',
  'dob',
  'DOB',
  'd.o.b',
  'born',
  'birth',
  'Borough',
  'bird',
  'on 8 degrees of freedom',
  'Df Residuals: 8',
  'Df Residuals: 80',
  '2001-02-03',
  '3/4/2001',
  'London',
  'North',
  '0-15',
  '80+',
  '2020-W01',
  'HES extract v2',
  'free',
  'fibre',
  'rd',
];
const ALPHABET = '0123456789 -./+()abdfiorABDFIORxyz@:,"\t';

const cell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NEAR_MISSES) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 14 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 2000 }).map(String) },
);
const row = fc.tuple(
  fc.array(cell, { minLength: 3, maxLength: 7 }),
  fc.constantFrom('\n', '\n', '\n', '\r\n'),
);
const rows = fc.array(row, { minLength: 1, maxLength: 40 });

const HEADER = 'region,admissions,deaths,rate,note\n';
/**
 * Rows every check passes. Past them (20,000 values sampled per text column, more than 1 MiB so the
 * tail is in a later chunk) the table has learnt its columns and the sieve takes over.
 */
function boringPrefix(count: number, threshold = 10): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1)
    lines.push(`North,${threshold + (i % 90)},${threshold + 10 + (i % 50)},${i % 7}.5,ok ${i % 13}\n`);
  return lines.join('');
}
const PREFIX = boringPrefix(50_000);
const prefixes = new Map([...byThreshold.keys()].map((t) => [t, boringPrefix(50_000, t)]));

/** Counts the chunks a sieve is given, to show the tests exercise it. */
function counting(sieve: LineSieve): LineSieve & { chunks: number; countChunks: Map<number, number> } {
  const counted = {
    capacity: sieve.capacity,
    maxColumns: sieve.maxColumns,
    chunks: 0,
    /** Chunks sieved with a count column, per threshold. */
    countChunks: new Map<number, number>(),
    sieve: (buffer: ArrayBuffer, length: number, job: SieveJob) => {
      counted.chunks += 1;
      if (job.modes.includes(SIEVE_COUNT))
        counted.countChunks.set(job.minCount, (counted.countChunks.get(job.minCount) ?? 0) + 1);
      return sieve.sieve(buffer, length, job);
    },
    close: () => sieve.close(),
  };
  return counted;
}

const key = (f: RawFinding) => JSON.stringify([f.rule, f.line, f.column, f.cell ?? '', f.basis, f.message]);

describe('the line sieve', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'egress-sieve-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const both = async (
    name: string,
    text: string,
    options: { declaration?: TableDeclaration; sieve: ScanFileOptions['sieve']; resolved?: typeof rules },
  ) => {
    n += 1;
    const path = join(dir, `${n}-${name}`);
    await writeFile(path, text);
    const resolved = options.resolved ?? rules;
    const reference = await scanOutputFile(path, name, resolved, options.declaration, { sieve: 'none' });
    const sieved = await scanOutputFile(path, name, resolved, options.declaration, { sieve: options.sieve });
    return { reference, sieved };
  };

  it('reports exactly what reading every line reports, on tables past their learning rows', async () => {
    const sieve = counting(createLocalSieve());
    // Declared counts rounded to 5 (the sieve's digit-by-digit path), then undeclared tables at each
    // threshold (its comparison by digit bytes); the one at 10 also sets unrounded-count's threshold.
    const cases = [
      {
        prefix: PREFIX,
        resolved: rules,
        declaration: { counts: ['admissions', 'deaths'], roundedTo: 5 },
      },
      ...[...byThreshold].map(([threshold, resolved]) => ({
        prefix: prefixes.get(threshold)!,
        resolved: threshold === 10 ? rounding : resolved,
      })),
    ];
    for (const { prefix, resolved, ...rest } of cases) {
      await fc.assert(
        fc.asyncProperty(rows, async (tail) => {
          const text = HEADER + prefix + tail.map(([cells, end]) => cells.join(',') + end).join('');
          const declaration = 'declaration' in rest ? { declaration: rest.declaration } : {};
          const { reference, sieved } = await both('table.csv', text, { sieve, resolved, ...declaration });
          expect(sieved.findings.map(key)).toEqual(reference.findings.map(key));
          expect(sieved.sha256).toBe(createHash('sha256').update(text).digest('hex'));
        }),
        { numRuns: 10 },
      );
    }
    expect(sieve.chunks).toBeGreaterThanOrEqual(60);
    // Every threshold really reached the sieve's count comparison.
    expect([...sieve.countChunks.keys()].sort((a, b) => a - b)).toEqual([...byThreshold.keys()]);
  });

  it('judges counts at and around each threshold, and in wide tables, as reading every line does', async () => {
    const sieve = counting(createLocalSieve());
    for (const [threshold, resolved] of byThreshold) {
      const width = String(threshold).length;
      // Beside the threshold in its last digit and in a middle one, and the ends of its width.
      const near = [threshold - 1, threshold, threshold + 1, threshold - 10, threshold + 10];
      near.push(10 ** (width - 1), 10 ** width - 1);
      const whole = near.filter((v) => v >= 0);
      const values = [...whole.map(String), ...whole.map((v) => `0${v}`), '0'];
      values.push(String(10 ** (width - 1) - 1));
      const tail = values.flatMap((v) => [
        `North,${v},${threshold + 10},1.5,ok 1\n`,
        `North,${threshold + 10},${v},1.5,ok 1\n`,
      ]);
      const { reference, sieved } = await both(
        'table.csv',
        HEADER + prefixes.get(threshold) + tail.join(''),
        {
          sieve,
          resolved,
        },
      );
      // At 1 only 0 is below the threshold, and zeros are not small cells.
      expect(reference.findings.some((f) => f.rule === 'small-cell')).toBe(threshold > 1);
      expect(sieved.findings.map(key)).toEqual(reference.findings.map(key));
    }
    // Sixteen short fields a line: more field separators in 64 bytes than the sieve places at once.
    const wideHeader = `${Array.from({ length: 16 }, (_, i) => (i === 13 ? 'admissions' : i === 14 ? 'deaths' : `c${i}`)).join(',')}\n`;
    const wide = (a: number | string, b: number | string, i = 0) =>
      `${Array.from({ length: 13 }, (_, k) => String.fromCharCode(97 + ((i + k) % 20))).join(',')},${a},${b},z\n`;
    const body = Array.from({ length: 60_000 }, (_, i) => wide(10 + (i % 90), 20 + (i % 50), i)).join('');
    const wideTail = ['3', '9', '10', '0', '09', '11'].flatMap((v) => [wide(v, 30), wide(30, v)]).join('');
    const before = sieve.countChunks.get(10) ?? 0;
    const { reference, sieved } = await both('wide.csv', wideHeader + body + wideTail, {
      sieve,
      resolved: rules,
    });
    expect(sieve.countChunks.get(10)).toBeGreaterThan(before);
    expect(reference.findings.filter((f) => f.rule === 'small-cell').length).toBeGreaterThanOrEqual(4);
    expect(sieved.findings.map(key)).toEqual(reference.findings.map(key));
    // Counts in the first and the last column, with CRLF line ends (2 MB: past the first chunk).
    const edgeBody = Array.from(
      { length: 200_000 },
      (_, i) => `${10 + (i % 90)},x${i % 7},${20 + (i % 50)}\r\n`,
    );
    const edgeTail = ['5', '30', '09', '10'].flatMap((v) => [`${v},a,30\r\n`, `30,a,${v}\r\n`]);
    const edgeBefore = sieve.countChunks.get(10) ?? 0;
    const edge = await both('edge.csv', `admissions,x,deaths\r\n${edgeBody.join('')}${edgeTail.join('')}`, {
      sieve,
      resolved: rules,
    });
    expect(sieve.countChunks.get(10)).toBeGreaterThan(edgeBefore);
    expect(edge.reference.findings.filter((f) => f.rule === 'small-cell').length).toBeGreaterThanOrEqual(4);
    expect(edge.sieved.findings.map(key)).toEqual(edge.reference.findings.map(key));
    expect([...sieve.countChunks.keys()].sort((a, b) => a - b)).toEqual([...byThreshold.keys()]);
  });

  it('reports exactly what reading every line reports, on plain text from its first line', async () => {
    const sieve = counting(createLocalSieve());
    await fc.assert(
      fc.asyncProperty(rows, fc.boolean(), async (lines, bom) => {
        const text = (bom ? '\uFEFF' : '') + lines.map(([cells, end]) => cells.join(' ') + end).join('');
        const { reference, sieved } = await both('notes.txt', text, { sieve });
        expect(sieved.findings.map(key)).toEqual(reference.findings.map(key));
      }),
      { numRuns: 150 },
    );
    expect(sieve.chunks).toBeGreaterThanOrEqual(150);
  });

  it('keeps a threshold or rounding base beyond any count it judges (such a count is reported)', async () => {
    const line = new TextEncoder().encode('North,12,20,1.5,ok\n');
    let sieved = 0;
    for (const huge of [
      resolveDisclosureRules({ disclosure: { minCellCount: 1e30, maxFileBytes: 1 << 30 } }),
      resolveDisclosureRules({
        disclosure: {
          minCellCount: 10,
          maxFileBytes: 1 << 30,
          rules: { 'unrounded-count': { threshold: 2 ** 70 } },
        },
      }),
    ]) {
      const table = createTableScanner('t.csv', ',', huge);
      const rows = (HEADER + PREFIX).split('\n');
      for (const [i, text] of rows.entries()) table.addLine(text, i + 1);
      const job = table.sieveJob();
      // Either the table stays in JavaScript, or the sieve reports the line.
      if (job) {
        const buffer = new ArrayBuffer(line.length);
        new Uint8Array(buffer).set(line);
        const { result } = await createLocalSieve().sieve(buffer, line.length, job);
        expect(result.reported.length).toBe(2);
        sieved += 1;
      }
    }
    expect(sieved).toBeGreaterThan(0);
  });

  it('finds each identifier where it hides in a large table, on worker threads, with the pin digest', async () => {
    const planted = [
      'North,12,20,1.5,call 07700 900123',
      'North,12,20,1.5,a.person@example.org',
      'North,12,20,1.5,SW1A 1AA',
      'North,12,20,1.5,943 476 5919',
      'North,3,20,1.5,ok',
      'North,12,20,1.5,10.200.30.4',
      'North,12,20,1.5,born 2001-02-03',
    ];
    // Spread over many 1 MiB chunks, so several travel to the threads at once.
    const parts = [HEADER, PREFIX];
    for (const line of planted) parts.push(boringPrefix(40_000), `${line}\n`);
    const text = parts.join('');
    const pool = counting(createSievePool(2));
    try {
      const { reference, sieved } = await both('big.csv', text, { sieve: pool });
      expect(sieved.findings.map(key)).toEqual(reference.findings.map(key));
      expect(sieved.findings.map((f) => f.rule).sort()).toEqual(
        [
          'date-of-birth',
          'email-address',
          'ip-address',
          'nhs-number',
          'phone-number',
          'small-cell',
          'uk-postcode',
        ].sort(),
      );
      const small = sieved.findings.find((f) => f.rule === 'small-cell')!;
      expect(text.split('\n')[small.line - 1]).toBe('North,3,20,1.5,ok');
      expect(sieved.sha256).toBe(createHash('sha256').update(text).digest('hex'));
      expect(pool.chunks).toBeGreaterThan(4);
    } finally {
      await pool.close();
    }
  });
});
