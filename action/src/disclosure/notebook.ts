/**
 * Jupyter notebooks (`.ipynb`) with embedded outputs: tables, printed data and images saved in the
 * notebook travel with the code, unreviewed. Reported per cell, at the cell's line in the file.
 */
import type { RawFinding } from './finding.js';

interface NotebookCell {
  cell_type?: unknown;
  outputs?: unknown;
}

interface NotebookOutput {
  output_type?: unknown;
  data?: Record<string, unknown>;
  text?: unknown;
}

/** Line (1-based) of every cell's start, found by the `"cell_type"` keys in order. */
function cellLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let at = 0;
  for (;;) {
    const next = text.indexOf('"cell_type"', at);
    if (next === -1) return lines;
    for (let i = at; i < next; i += 1) if (text.charCodeAt(i) === 10) line += 1;
    lines.push(line);
    at = next + 1;
  }
}

export function scanNotebook(text: string, file: string): RawFinding[] {
  let notebook: { cells?: unknown };
  try {
    notebook = JSON.parse(text) as { cells?: unknown };
  } catch {
    return [];
  }
  if (!Array.isArray(notebook.cells)) return [];
  const lines = cellLines(text);
  const findings: RawFinding[] = [];
  notebook.cells.forEach((raw: NotebookCell, i) => {
    if (raw?.cell_type !== 'code' || !Array.isArray(raw.outputs) || raw.outputs.length === 0) return;
    const kinds = new Set<string>();
    for (const output of raw.outputs as NotebookOutput[]) {
      if (output.output_type === 'stream') kinds.add('printed text');
      else if (output.output_type === 'error') kinds.add('an error trace');
      for (const mime of Object.keys(output.data ?? {})) {
        kinds.add(
          mime.startsWith('image/') ? 'an image' : mime === 'text/html' ? 'a rendered table' : 'data',
        );
      }
    }
    findings.push({
      rule: 'notebook-output',
      file,
      line: lines[i] ?? 0,
      column: lines[i] ? 1 : 0,
      cell: String(i + 1),
      basis: 'inferred',
      message: `notebook cell ${i + 1} has embedded outputs (${[...kinds].sort().join(', ')})`,
      advice:
        'clear the outputs (jupyter nbconvert --clear-output) and egress the results as separate reviewed files',
    });
  });
  return findings;
}
