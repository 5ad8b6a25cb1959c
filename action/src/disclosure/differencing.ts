/**
 * Differencing: a suppressed cell that subtraction recovers. A total (a row whose category reads
 * "Total"/"All", or a row of a table with one category fewer) minus the other cells of its parts
 * gives the suppressed cell; when that is a small count, suppression did not protect it. Looks
 * within each table and across every table of a request (all collections).
 */
import { cellName, type RawFinding } from './finding.js';
import { SUPPRESSED, type TableSummary } from './tables.js';

const TOTAL = /^(?:total|totals|all|overall|any|both|all persons|all people)$/i;
const WHOLE = /^\d+$/;

interface CountCell {
  value: number | 'suppressed' | undefined;
  column: number;
  cell: string;
}

interface Row {
  table: TableSummary;
  line: number;
  cats: Map<string, string>;
  counts: Map<string, CountCell>;
}

function rowsOf(table: TableSummary): Row[] {
  return table.rows.map(({ line, fields }) => {
    const cats = new Map<string, string>();
    for (const i of table.categories) cats.set(table.headers[i]!, (fields[i]?.text ?? '').toLowerCase());
    const counts = new Map<string, CountCell>();
    for (const i of table.counts) {
      const f = fields[i];
      const text = f?.text ?? '';
      counts.set(table.headers[i]!, {
        value: WHOLE.test(text) ? Number(text) : SUPPRESSED.test(text) ? 'suppressed' : undefined,
        column: f?.column ?? 1,
        cell: cellName(i + 1, line),
      });
    }
    return { table, line, cats, counts };
  });
}

const keyOf = (row: Row, headers: readonly string[]) =>
  headers.map((h) => row.cats.get(h) ?? '').join('\u0000');

export function findDifferencing(tables: readonly TableSummary[], threshold: number): RawFinding[] {
  const all = tables.map((t) => ({
    table: t,
    rows: rowsOf(t),
    catHeaders: t.categories.map((i) => t.headers[i]!).sort(),
  }));
  // Per table and per category column c: rows grouped by their other categories (c not a total).
  const groups = all.map(({ rows, catHeaders }) => {
    const byColumn = new Map<string, Map<string, Row[]>>();
    for (const c of catHeaders) {
      const others = catHeaders.filter((h) => h !== c);
      const map = new Map<string, Row[]>();
      for (const row of rows) {
        if (TOTAL.test(row.cats.get(c) ?? '')) continue;
        const key = keyOf(row, others);
        map.set(key, [...(map.get(key) ?? []), row]);
      }
      byColumn.set(c, map);
    }
    return byColumn;
  });

  const found = new Map<string, RawFinding>();
  const check = (total: Row, parts: readonly Row[]) => {
    if (parts.length < 2) return;
    for (const [header, cell] of total.counts) {
      if (typeof cell.value !== 'number') continue;
      const partCells = parts.map((p) => ({ row: p, cell: p.counts.get(header) ?? soleCount(p, total) }));
      if (partCells.some((p) => p.cell === undefined || p.cell.value === undefined)) continue;
      const hidden = partCells.filter((p) => p.cell!.value === 'suppressed');
      if (hidden.length !== 1) continue;
      const known = partCells.reduce(
        (sum, p) => sum + (typeof p.cell!.value === 'number' ? p.cell!.value : 0),
        0,
      );
      const revealed = cell.value - known;
      if (revealed <= 0 || revealed >= threshold) continue;
      const { row, cell: target } = hidden[0]!;
      const key = `${row.table.file}\u0000${target!.cell}`;
      if (found.has(key)) continue;
      const where = total.table === row.table ? `line ${total.line}` : `${total.table.file}:${total.line}`;
      found.set(key, {
        rule: 'differencing',
        file: row.table.file,
        line: row.line,
        column: target!.column,
        cell: target!.cell,
        basis: row.table.basis,
        message: `the suppressed cell in column '${header}' can be recovered by subtraction: the total at ${where} minus the other ${parts.length - 1} cells is a count below ${threshold}`,
        advice: 'suppress a second cell (secondary suppression), round the totals, or remove the total',
      });
    }
  };

  all.forEach(({ rows, catHeaders }, t) => {
    for (const row of rows) {
      // Within the table: a total row and the rows it sums.
      for (const c of catHeaders) {
        if (!TOTAL.test(row.cats.get(c) ?? '')) continue;
        const others = catHeaders.filter((h) => h !== c);
        check(row, groups[t]!.get(c)?.get(keyOf(row, others)) ?? []);
      }
      // Across tables: a table with exactly one more category column holds this row's parts.
      all.forEach((other, u) => {
        if (u === t || other.catHeaders.length !== catHeaders.length + 1) return;
        if (!catHeaders.every((h) => other.catHeaders.includes(h))) return;
        const extra = other.catHeaders.find((h) => !catHeaders.includes(h))!;
        check(row, groups[u]!.get(extra)?.get(keyOf(row, catHeaders)) ?? []);
      });
    }
  });
  return [...found.values()];
}

/** Across tables with differently named count columns: pair them when each table has one. */
function soleCount(part: Row, total: Row): CountCell | undefined {
  return part.counts.size === 1 && total.counts.size === 1 ? [...part.counts.values()][0] : undefined;
}
