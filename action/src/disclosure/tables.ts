/**
 * Small-cell detection for delimited tables. A column counts as a count column when every
 * non-empty body cell is a whole number and its header does not name an identifier, year or code:
 * small counts there (1 … threshold − 1) can single people out.
 */
const NOT_A_COUNT = /\b(?:id|year|yr|code|zip|postcode|age|month|day|week|rank|index|idx)\b|_id$|^id_/i;
const WHOLE = /^\d+$/;

export interface TableCell {
  line: number;
  column: number;
  value: number;
  header: string;
}

/** Splits one line on the delimiter, honouring double quotes; returns each field with its 1-based column. */
export function splitDelimited(line: string, delimiter: string): { text: string; column: number }[] {
  const fields: { text: string; column: number }[] = [];
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

/** Accumulates a table line by line (streaming), then reports small cells in count columns. */
export function createTableScanner(delimiter: string, minCellCount: number) {
  let headers: string[] | undefined;
  const candidates: (TableCell & { index: number })[] = [];
  const notCount = new Set<number>();
  return {
    /** Returns the header cells of the table for other scanners (e.g. birth-date columns). */
    addLine(text: string, line: number): string[] | undefined {
      if (text.trim() === '') return headers;
      const fields = splitDelimited(text, delimiter);
      if (!headers) {
        headers = fields.map((f) => f.text);
        headers.forEach((h, i) => {
          if (NOT_A_COUNT.test(h)) notCount.add(i);
        });
        return headers;
      }
      fields.forEach((f, i) => {
        if (f.text === '' || notCount.has(i)) return;
        if (!WHOLE.test(f.text)) {
          notCount.add(i);
          return;
        }
        const value = Number(f.text);
        if (value > 0 && value < minCellCount) {
          candidates.push({
            line,
            column: f.column,
            value,
            header: headers?.[i] ?? `column ${i + 1}`,
            index: i,
          });
        }
      });
      return headers;
    },
    smallCells(): TableCell[] {
      return candidates.filter((c) => !notCount.has(c.index)).map(({ index: _index, ...cell }) => cell);
    },
  };
}
