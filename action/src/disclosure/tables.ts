/**
 * Statistical disclosure checks for delimited tables, line by line (streaming). With a table
 * declaration from the manifest, each column is checked as declared; without one, count columns
 * are inferred: whole numbers throughout, under a header that does not name an identifier, a date
 * part, an age, a duration or a measurement.
 */
import type { TableDeclaration } from '../manifest/types.js';
import type { ResolvedRules } from '../policy/disclosure-rules.js';
import { cellName, type FindingBasis, type RawFinding } from './finding.js';
import { createFreeTextStats, type FreeTextStats } from './free-text.js';
import { failsPPercent, nkShare } from './magnitude.js';
import { SIEVE_COUNT, SIEVE_FREE, SIEVE_WHOLE, type SieveJob } from './sieve/line-sieve.js';

/** Markers researchers use for suppressed cells (`*`, `<10`, `[c]`, ONS `..`). */
export const SUPPRESSED = /^(?:\*+|x|\[c\]|\[x\]|c|<\s*\d+|suppressed|redacted|\.\.)$/i;
const MISSING = /^(?:|na|n\/a|nan|null|none|missing|-|\.)$/i;
const WHOLE = /^\d+$/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const DAY_DATE = /^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})(?:[T ].*)?$/;

/** Header words that say a whole-number column is not a count of people or events. */
const NOT_A_COUNT = new Set(
  'id ids year years yr yrs code codes zip postcode age ages month months day days week weeks hour hours minute minutes min mins second seconds sec duration time survival los length rank index idx score scores level grade stage dose height weight bmi size version number_id quarter qtr period date dob'.split(
    ' ',
  ),
);

/** `survival_months`, `survivalMonths`, `Survival months` → survival, months. */
export function headerTokens(header: string): string[] {
  return header
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== '');
}

export function namesNonCount(header: string): boolean {
  return headerTokens(header).some((t) => NOT_A_COUNT.has(t));
}

/** Splits one line on the delimiter, honouring double quotes; returns each field with its 1-based column. */
export function splitDelimited(line: string, delimiter: string): { text: string; column: number }[] {
  const fields: { text: string; column: number }[] = [];
  if (!line.includes('"')) {
    let start = 0;
    for (;;) {
      const end = line.indexOf(delimiter, start);
      const stop = end === -1 ? line.length : end;
      fields.push({ text: line.slice(start, stop).trim(), column: start + 1 });
      if (end === -1) return fields;
      start = end + 1;
    }
  }
  let current = '';
  let start = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push({ text: current.trim(), column: start + 1 });
      current = '';
      start = i + 1;
    } else current += ch;
  }
  fields.push({ text: current.trim(), column: start + 1 });
  return fields;
}

/** `^\d+$` without a regular expression: this runs on every count cell. */
function isWhole(text: string): boolean {
  if (text.length === 0 || text.length > 15) return text.length > 15 && WHOLE.test(text);
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** splitDelimited into reused arrays (no objects per field); returns the number of fields. */
function splitInto(line: string, delimiter: string, texts: string[], cols: number[]): number {
  if (line.includes('"')) {
    const fields = splitDelimited(line, delimiter);
    fields.forEach((f, i) => {
      texts[i] = f.text;
      cols[i] = f.column;
    });
    return fields.length;
  }
  let n = 0;
  let start = 0;
  for (;;) {
    const end = line.indexOf(delimiter, start);
    const stop = end === -1 ? line.length : end;
    const raw = line.slice(start, stop);
    const first = raw.charCodeAt(0);
    const last = raw.charCodeAt(raw.length - 1);
    texts[n] = first <= 32 || last <= 32 ? raw.trim() : raw;
    cols[n] = start + 1;
    n += 1;
    if (end === -1) return n;
    start = end + 1;
  }
}

type Role = 'count' | 'magnitude' | 'contributors' | 'largest' | 'identifier' | 'date' | 'category';

/** Rows kept for differencing; a longer table is row-level data, not a table of aggregates. */
const MAX_KEPT_ROWS = 5000;
/** Per column, findings kept while the column might still turn out not to be a count column. */
const MAX_PENDING = 200;

/** What differencing needs from a table: its header, roles, and (small tables only) its rows. */
export interface TableSummary {
  file: string;
  headers: string[];
  counts: number[];
  categories: number[];
  rows: { line: number; fields: { text: string; column: number }[] }[];
  basis: FindingBasis;
}

interface Column {
  header: string;
  role: Role;
  pending: RawFinding[];
  pendingOverflow: number;
  /** Inferred mode: still a candidate count column. */
  countLike: boolean;
  wholeSeen: boolean;
  measure: boolean;
  /** Inferred mode: a value that is not a number was seen (a category, not a measure). */
  textual: boolean;
  text: FreeTextStats;
  dayDates: number;
  firstDate?: { line: number; column: number };
}

export interface TableScanner {
  /** Returns the header cells (for other scanners, e.g. birth-date columns). */
  addLine(text: string, line: number): string[] | undefined;
  /**
   * What each column must pass for a line to be skipped unread: a line whose cells all pass
   * changes nothing here and reports nothing. Undefined while every line must be read (before the
   * header, while rows are kept for differencing or text columns still sampled, with magnitude or
   * date declarations). The modes only loosen as the table is read, so a chunk sieved with older
   * modes is sieved too strictly, never too loosely.
   */
  sieveJob(): SieveJob | undefined;
  finish(): { findings: RawFinding[]; summary?: TableSummary };
}

export function createTableScanner(
  file: string,
  delimiter: string,
  rules: ResolvedRules,
  declaration?: TableDeclaration,
): TableScanner {
  const basis: FindingBasis = declaration ? 'declared' : 'inferred';
  const findings: RawFinding[] = [];
  let headers: string[] | undefined;
  let headerLine = 1;
  let columns: Column[] = [];
  const index = new Map<string, number>();
  let rows: TableSummary['rows'] | undefined = [];
  const texts: string[] = [];
  const cols: number[] = [];
  const minCount = rules['small-cell'].threshold ?? 10;
  const base = declaration?.roundedTo ?? rules['unrounded-count'].threshold;
  const magnitudes = (declaration?.magnitudes ?? []).map((m) => ({ ...m }));

  const push = (f: Omit<RawFinding, 'file' | 'basis'>, column?: Column) => {
    const finding = { ...f, file, basis };
    if (column && !declaration) {
      if (column.pending.length < MAX_PENDING) column.pending.push(finding);
      else column.pendingOverflow += 1;
    } else findings.push(finding);
  };

  function start(fields: { text: string; column: number }[], line: number) {
    headers = fields.map((f) => f.text);
    headerLine = line;
    headers.forEach((h, i) => {
      if (!index.has(h)) index.set(h, i);
    });
    const roles = new Map<number, Role>();
    const declare = (names: readonly string[] | undefined, role: Role, what: string) => {
      for (const name of names ?? []) {
        const at = index.get(name);
        if (at === undefined) {
          findings.push({
            rule: 'declaration-mismatch',
            file,
            line,
            column: 1,
            basis: 'declared',
            message: `the table declaration names ${what} column '${name}', but the header has no such column (columns: ${headers!.join(', ')})`,
            advice: 'correct the column name in the manifest',
          });
        } else roles.set(at, role);
      }
    };
    if (declaration) {
      declare(declaration.counts, 'count', 'count');
      declare(
        magnitudes.map((m) => m.column),
        'magnitude',
        'magnitude',
      );
      declare(
        magnitudes.flatMap((m) => (m.contributors ? [m.contributors] : [])),
        'contributors',
        'contributors',
      );
      declare(
        magnitudes.flatMap((m) => m.largest ?? []),
        'largest',
        'largest-contribution',
      );
      declare(declaration.identifiers, 'identifier', 'identifier');
      declare(declaration.dates, 'date', 'date');
    }
    columns = headers.map((header, i) => ({
      header,
      role: roles.get(i) ?? (declaration ? 'category' : namesNonCount(header) ? 'category' : 'count'),
      pending: [],
      pendingOverflow: 0,
      countLike: !declaration && !namesNonCount(header),
      wholeSeen: false,
      measure: false,
      textual: false,
      text: createFreeTextStats(),
      dayDates: 0,
    }));
    for (const m of magnitudes) {
      if (m.contributors === undefined && index.has(m.column)) {
        findings.push({
          rule: 'magnitude-contributors',
          file,
          line,
          column: fields[index.get(m.column)!]!.column,
          basis: 'declared',
          message: `magnitude column '${m.column}' declares no contributors column, so the threshold rule cannot be checked`,
          advice:
            'add a column with the number of contributors to each cell and declare it as `contributors`',
        });
      }
    }
  }

  function countCell(col: Column, text: string, line: number, column: number, i: number) {
    const whole = isWhole(text);
    // The common case first, with nothing allocated: a count at or above the threshold, rounded.
    if (whole) {
      col.wholeSeen = true;
      const value = Number(text);
      if (value >= minCount && (base === undefined || base <= 1 || value % base === 0)) return;
    }
    const at = { line, column, cell: cellName(i + 1, line) };
    if (!whole && SUPPRESSED.test(text)) return;
    if (!whole && MISSING.test(text)) {
      push(
        {
          ...at,
          rule: 'missing-cell',
          message: `missing value in count column '${col.header}'`,
          advice:
            'say whether it is suppressed (write a marker such as `*`), a structural zero, or not collected',
        },
        col,
      );
      return;
    }
    if (!whole) {
      if (declaration) {
        push({
          ...at,
          rule: 'declaration-mismatch',
          message: `'${text.slice(0, 20)}' in column '${col.header}' is not a whole number, but the column is declared as counts`,
          advice: 'correct the declaration, or the table',
        });
      } else col.countLike = false;
      return;
    }
    const value = Number(text);
    if (value === 0) {
      push(
        {
          ...at,
          rule: 'zero-cell',
          message: `zero count in column '${col.header}'`,
          advice:
            'a zero can reveal that nobody in a group has an attribute: check it is a structural zero, or combine categories',
        },
        col,
      );
    } else if (value < minCount) {
      push(
        {
          ...at,
          rule: 'small-cell',
          message: `count ${value} in column '${col.header}' is below the threshold of ${minCount}`,
          advice: 'suppress it or combine categories, and check it cannot be recovered from totals',
        },
        col,
      );
    }
    if (base !== undefined && base > 1 && value % base !== 0) {
      push(
        {
          ...at,
          rule: 'unrounded-count',
          message: `count in column '${col.header}' is not a multiple of the rounding base ${base}`,
          advice: `round every count to base ${base}${declaration?.roundedTo ? '' : ', or declare the table'}`,
        },
        col,
      );
    }
  }

  function magnitudeCells(count: number, line: number) {
    const num = (name: string | undefined) => {
      const at = name === undefined ? undefined : index.get(name);
      const text = at === undefined || at >= count ? undefined : texts[at];
      return text !== undefined && NUMBER.test(text) ? Number(text) : undefined;
    };
    for (const m of magnitudes) {
      const at = index.get(m.column);
      const field = at === undefined || at >= count ? undefined : { text: texts[at]!, column: cols[at]! };
      if (at === undefined || !field || SUPPRESSED.test(field.text) || !NUMBER.test(field.text)) continue;
      const where = { line, column: field.column, cell: cellName(at + 1, line) };
      const value = Number(field.text);
      const contributors = num(m.contributors);
      const threshold = rules['magnitude-contributors'].threshold ?? minCount;
      if (contributors !== undefined && contributors < threshold) {
        push({
          ...where,
          rule: 'magnitude-contributors',
          message: `magnitude in column '${m.column}' has ${contributors} contributor${contributors === 1 ? '' : 's'}, below the threshold of ${threshold}`,
          advice: 'suppress it or combine categories until every cell has enough contributors',
        });
      }
      if (m.statistic === 'median') continue;
      const total = m.statistic === 'mean' ? value * (contributors ?? Number.NaN) : value;
      const largest = (m.largest ?? []).map(num).filter((x): x is number => x !== undefined);
      if (!Number.isFinite(total) || largest.length === 0) continue;
      const p = rules['p-percent'].threshold ?? 10;
      if (failsPPercent(total, largest, p)) {
        push({
          ...where,
          rule: 'p-percent',
          message: `magnitude in column '${m.column}' fails the p% rule (p = ${p}): the second-largest contributor could estimate the largest within ${p}%`,
          advice: 'suppress it or combine categories',
        });
      }
      const n = rules['nk-dominance'].n ?? 2;
      const k = rules['nk-dominance'].threshold ?? 90;
      const share = largest.length >= Math.min(n, largest.length) ? nkShare(total, largest, n) : undefined;
      if (share !== undefined && share > k) {
        push({
          ...where,
          rule: 'nk-dominance',
          message: `magnitude in column '${m.column}' is dominated: the ${n} largest contributions make up ${Math.round(share)}% (more than ${k}%)`,
          advice: 'suppress it or combine categories',
        });
      }
    }
  }

  const sieveJob = (): SieveJob | undefined => {
    // The sieve passes whole numbers of at most 15 digits: a threshold above every one of them
    // is capped (each still fails), and a base it cannot hold exactly keeps the table in JavaScript.
    const wholeBase =
      base === undefined || base <= 1 ? 0 : Number.isInteger(base) && base < 1e15 ? base : undefined;
    if (!headers || rows !== undefined || magnitudes.length > 0 || wholeBase === undefined) return undefined;
    const modes = new Uint8Array(columns.length);
    for (const [i, col] of columns.entries()) {
      if (col.role === 'date') return undefined;
      const sampled =
        col.role === 'category' || col.role === 'identifier' || (!declaration && col.role === 'count');
      if (sampled && !col.text.saturated()) return undefined;
      if (col.role === 'count' && (declaration || col.countLike)) {
        if (!declaration && !col.wholeSeen) return undefined;
        modes[i] = SIEVE_COUNT;
      } else modes[i] = !declaration && !col.measure && !col.textual ? SIEVE_WHOLE : SIEVE_FREE;
    }
    return {
      delimiter: delimiter.charCodeAt(0),
      modes,
      minCount: Math.min(Math.ceil(minCount), 1e16),
      base: wholeBase,
    };
  };

  return {
    sieveJob,
    addLine(text, line) {
      if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return headers;
      if (!headers) {
        start(splitDelimited(text, delimiter), line);
        return headers;
      }
      const count = splitInto(text, delimiter, texts, cols);
      if (rows) {
        if (rows.length < MAX_KEPT_ROWS) {
          const fields = [];
          for (let i = 0; i < count; i += 1) fields.push({ text: texts[i]!, column: cols[i]! });
          rows.push({ line, fields });
        } else rows = undefined;
      }
      const n = Math.min(count, columns.length);
      for (let i = 0; i < n; i += 1) {
        const col = columns[i]!;
        const value = texts[i]!;
        if (col.role === 'count' && (declaration || col.countLike)) countCell(col, value, line, cols[i]!, i);
        else if (!declaration && !col.measure && !col.textual) {
          if (!NUMBER.test(value)) col.textual = value !== '';
          else if (!isWhole(value)) col.measure = true;
        }
        if (col.role === 'category' || col.role === 'identifier' || (!declaration && col.role === 'count'))
          col.text.add(value);
        if (col.role === 'date' && DAY_DATE.test(value)) {
          col.dayDates += 1;
          col.firstDate ??= { line, column: cols[i]! };
        }
      }
      if (magnitudes.length > 0) magnitudeCells(count, line);
      return headers;
    },
    finish() {
      const out = [...findings];
      const countColumns: number[] = [];
      columns.forEach((col, i) => {
        const isCount =
          col.role === 'count' && (declaration !== undefined || (col.countLike && col.wholeSeen));
        if (isCount) {
          countColumns.push(i);
          out.push(...col.pending);
          if (col.pendingOverflow > 0) {
            out.push({
              rule: col.pending[0]!.rule,
              file,
              line: 0,
              column: 0,
              basis,
              message: `… and ${col.pendingOverflow} more findings in column '${col.header}'`,
              advice: col.pending[0]!.advice,
            });
          }
        } else if (!declaration && col.role === 'count') col.role = col.measure ? 'magnitude' : 'category';
        const at = { line: headerLine, column: 1, cell: cellName(i + 1, headerLine) };
        if (col.role === 'identifier') {
          out.push({
            ...at,
            rule: 'identifier-column',
            file,
            basis: 'declared',
            message: `column '${col.header}' is declared as identifiers`,
            advice: 'remove it, or replace it with pseudonyms that cannot be linked back',
          });
        }
        if (col.role === 'date' && col.dayDates > 0) {
          out.push({
            line: col.firstDate!.line,
            column: col.firstDate!.column,
            cell: cellName(i + 1, col.firstDate!.line),
            rule: 'precise-date',
            file,
            basis: 'declared',
            message: `date column '${col.header}' holds ${col.dayDates} date${col.dayDates === 1 ? '' : 's'} to the day`,
            advice: 'coarsen the dates to month or year',
          });
        }
        if (col.role === 'category') {
          const threshold = rules['free-text'].threshold ?? 50;
          const verdict = col.text.verdict(threshold);
          if (verdict) {
            out.push({
              ...at,
              rule: 'free-text',
              file,
              basis: 'inferred',
              message: `column '${col.header}' looks like free text (median ${verdict.median} characters, ${Math.round(verdict.distinct * 100)}% distinct)`,
              advice: 'free text can name people: remove it, or replace it with coded categories',
            });
          }
        }
      });
      if (declaration?.residualDegreesOfFreedom !== undefined) {
        const min = rules['residual-dof'].threshold ?? 10;
        if (declaration.residualDegreesOfFreedom < min) {
          out.push({
            rule: 'residual-dof',
            file,
            line: 0,
            column: 0,
            basis: 'declared',
            message: `the model's residual degrees of freedom (${declaration.residualDegreesOfFreedom}) are below ${min}`,
            advice: 'fit the model on more observations or fewer parameters, or do not release it',
          });
        }
      }
      if (!headers || !rows || countColumns.length === 0) return { findings: out };
      const categories = columns.flatMap((c, i) => (c.role === 'category' || c.role === 'date' ? [i] : []));
      return { findings: out, summary: { file, headers, counts: countColumns, categories, rows, basis } };
    },
  };
}
