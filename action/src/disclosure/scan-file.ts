import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import type { TableDeclaration } from '../manifest/types.js';
import { hashFileSync } from '../pack/digest.js';
import type { ResolvedRules } from '../policy/disclosure-rules.js';
import { detectArchive, imageHasGps, looksBinary } from './binary.js';
import type { RawFinding } from './finding.js';
import { scanLineForIdentifiers } from './identifiers.js';
import { readLines } from './line-reader.js';
import { scanNotebook } from './notebook.js';
import { createLocalSieve, createSievePool, type LineSieve, type SieveJob } from './sieve/line-sieve.js';
import { createTableScanner, type TableSummary } from './tables.js';
import { candidateLines, lineAt } from './text-blocks.js';

const HEAD_BYTES = 256 * 1024;
const BIRTH_HEADER = /\b(?:dob|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|birth)\b/i;
/** A file with thousands of hits is one problem, not thousands of comment lines. */
export const MAX_FINDINGS_PER_RULE = 50;
/** Notebooks are read whole (they are JSON); larger ones are only scanned as text. */
const MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024;
// Model summaries: R's `lm` ("on 8 degrees of freedom") and statsmodels ("Df Residuals: 8").
const RESIDUAL_DF = /(?:\bon (\d+) degrees of freedom\b|\bDf Residuals:\s+(\d+)\b)/;

export interface ScannedFile {
  findings: RawFinding[];
  /** SHA-256 of the bytes the checks read (hex), so a pin can be verified from the same pass. */
  sha256: string;
  /** For differencing across the request's tables (small tables only). */
  table?: TableSummary;
}

/** Files up to this size are read whole, once: most outputs are small, and one read is cheapest. */
const WHOLE_FILE_BYTES = 1 << 20;
/** Plain text has no columns: the sieve looks for identifier patterns only. */
const PLAIN_TEXT: SieveJob = { delimiter: 0, modes: new Uint8Array(0), minCount: 0, base: 0 };

/** From this size on, two threads sieve while this one reads, hashes and judges what they report. */
const POOL_BYTES = 16 << 20;

export interface ScanFileOptions {
  /**
   * How lines are sieved: `'auto'` (the default) sieves files over 1 MiB, on two threads from
   * 16 MiB; `'none'` reads every line in JavaScript (the reference the sieve is tested against).
   */
  sieve?: LineSieve | 'auto' | 'none';
}

function readHead(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** Keeps the first `MAX_FINDINGS_PER_RULE` of each rule and counts the rest in one closing finding. */
export function capPerRule(
  findings: readonly RawFinding[],
  alreadyDropped: ReadonlyMap<string, number> = new Map(),
): RawFinding[] {
  const kept: RawFinding[] = [];
  const extra = new Map<string, { count: number; sample: RawFinding }>();
  const seen = new Map<string, number>();
  for (const f of findings) {
    const n = (seen.get(f.rule) ?? 0) + 1;
    seen.set(f.rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) kept.push(f);
    else extra.set(f.rule, { count: (extra.get(f.rule)?.count ?? 0) + 1, sample: f });
  }
  for (const [rule, count] of alreadyDropped) {
    const sample = findings.find((f) => f.rule === rule);
    if (sample) extra.set(rule, { count: (extra.get(rule)?.count ?? 0) + count, sample });
  }
  for (const { count, sample } of extra.values()) {
    kept.push({
      ...sample,
      line: 0,
      column: 0,
      cell: undefined,
      message: `… and ${count} more ${sample.rule} findings in this file`,
    });
  }
  return kept.map((f) => (f.cell === undefined ? omitCell(f) : f));
}

function omitCell(f: RawFinding): RawFinding {
  const { cell: _cell, ...rest } = f;
  return rest;
}

async function scanText(
  absolutePath: string,
  file: string,
  rules: ResolvedRules,
  declaration: TableDeclaration | undefined,
  read: { contents?: Uint8Array; sieve?: LineSieve },
): Promise<ScannedFile> {
  const extension = extname(file).toLowerCase();
  const delimiter =
    extension === '.csv' ? ',' : extension === '.tsv' || extension === '.tab' ? '\t' : undefined;
  const table = delimiter ? createTableScanner(file, delimiter, rules, declaration) : undefined;
  const found: RawFinding[] = [];
  const perRule = new Map<string, number>();
  const dropped = new Map<string, number>();
  const minDf = rules['residual-dof'].threshold ?? 10;
  let birthColumn = false;
  const scanLine = (text: string, line: number) => {
    for (const f of scanLineForIdentifiers(text, { birthColumn: birthColumn && line > 1 })) {
      const n = (perRule.get(f.rule) ?? 0) + 1;
      perRule.set(f.rule, n);
      // Counted beyond the cap, kept only up to it: memory stays flat on a noisy file.
      if (n <= MAX_FINDINGS_PER_RULE) found.push({ ...f, file, line, basis: 'inferred' });
      else dropped.set(f.rule, (dropped.get(f.rule) ?? 0) + 1);
    }
    if (text.includes('degrees of freedom') || text.includes('Df Residuals')) {
      const m = RESIDUAL_DF.exec(text);
      const df = m ? Number(m[1] ?? m[2]) : undefined;
      if (df !== undefined && df < minDf) {
        found.push({
          rule: 'residual-dof',
          file,
          line,
          column: (m?.index ?? 0) + 1,
          basis: 'inferred',
          message: `a model reported with ${df} residual degrees of freedom, below ${minDf}`,
          advice: 'fit the model on more observations or fewer parameters, or do not release it',
        });
      }
    }
  };
  const { sha256 } = await readLines(
    absolutePath,
    {
      onBlock(block, firstLine, starts) {
        if (table) {
          for (let i = 0; i < starts.length; i += 1) {
            const headers = table.addLine(lineAt(block, starts, i), firstLine + i);
            if (headers && firstLine + i === 1) birthColumn = headers.some((h) => BIRTH_HEADER.test(h));
          }
        }
        // Every line of a table with a birth-date column; elsewhere only lines a prefilter picks.
        const lines = birthColumn ? starts.map((_, i) => i) : candidateLines(block, starts);
        for (const i of lines) scanLine(lineAt(block, starts, i), firstLine + i);
      },
      onLine(text, line) {
        table?.addLine(text, line);
        scanLine(text, line);
      },
      sieveJob: () => (birthColumn ? undefined : table ? table.sieveJob() : PLAIN_TEXT),
    },
    read,
  );
  const tableResult = table?.finish();
  const findings = [...found, ...(tableResult?.findings ?? [])];
  if (extension === '.ipynb') {
    const { size } = statSync(absolutePath);
    if (size <= MAX_NOTEBOOK_BYTES) {
      const text = read.contents
        ? Buffer.from(read.contents).toString('utf8')
        : readFileSync(absolutePath, 'utf8');
      findings.push(...scanNotebook(text, file));
    }
  }
  const result: ScannedFile = { findings: capPerRule(findings, dropped), sha256 };
  if (tableResult?.summary) result.table = tableResult.summary;
  return result;
}

const whole = (file: string) => ({ file, line: 0, column: 0, basis: 'inferred' as const });

/** Every finding for one output file; streams text files, reads only the head of binary ones. */
export async function scanOutputFile(
  absolutePath: string,
  file: string,
  rules: ResolvedRules,
  declaration?: TableDeclaration,
  options: ScanFileOptions = {},
): Promise<ScannedFile> {
  const findings: RawFinding[] = [];
  const { size } = statSync(absolutePath);
  const maxBytes = rules['file-too-large'].threshold ?? Number.POSITIVE_INFINITY;
  if (size > maxBytes) {
    findings.push({
      ...whole(file),
      rule: 'file-too-large',
      message: `${size} bytes is over the review limit of ${maxBytes} bytes: reviewers cannot examine it in full`,
      advice: 'split it, aggregate it, or agree with the reviewers how they will examine it',
    });
  }
  const contents = size <= WHOLE_FILE_BYTES ? readFileSync(absolutePath) : undefined;
  const head = contents ? contents.subarray(0, HEAD_BYTES) : readHead(absolutePath);
  const digest = () =>
    contents ? createHash('sha256').update(contents).digest('hex') : hashFileSync(absolutePath).sha256;
  const archive = detectArchive(head);
  if (archive) {
    findings.push({
      ...whole(file),
      rule: 'archive',
      message: `a ${archive} archive inside an output hides its files from review`,
      advice: 'list the files themselves instead of the archive',
    });
    return { findings, sha256: digest() };
  }
  if (looksBinary(head)) {
    if (imageHasGps(head)) {
      findings.push({
        ...whole(file),
        rule: 'image-gps',
        message: 'image metadata (EXIF) holds a GPS position',
        advice: 'strip the metadata before egress (e.g. exiftool -all= <file>)',
      });
    }
    return { findings, sha256: digest() };
  }
  const choice = options.sieve ?? 'auto';
  const own =
    choice === 'auto' && !contents
      ? size >= POOL_BYTES
        ? createSievePool()
        : createLocalSieve()
      : undefined;
  const sieve = typeof choice === 'object' ? choice : own;
  try {
    const read = { ...(contents ? { contents } : {}), ...(sieve ? { sieve } : {}) };
    const text = await scanText(absolutePath, file, rules, declaration, read);
    return { ...text, findings: [...findings, ...text.findings] };
  } finally {
    await own?.close();
  }
}
