/**
 * Limits that keep a hostile YAML file from hanging or crashing the parser. The `yaml` package
 * recurses per nesting level: 100,000 nested `- ` indicators (200 kB) exhausted the heap on this
 * machine, so nesting is bounded by a linear pre-scan before the parser sees the text.
 */
export interface YamlLimits {
  /** Bytes of UTF-8 text. */
  maxBytes: number;
  /** Nesting of collections (block and flow). */
  maxDepth: number;
  /**
   * Nodes that aliases may produce in all when the value is built (alias bombs). The expanded
   * size counts, not the number of aliases: 99 aliases of a 1,000-item list produce 99,000 nodes.
   */
  maxAliasNodes: number;
}

export const defaultYamlLimits: YamlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliasNodes: 10_000 };

export interface DepthViolation {
  /** 1-based. */
  line: number;
  column: number;
  depth: number;
}

const blockScalarHeader = /[|>][0-9+-]*\s*(#.*)?$/;

/**
 * An upper bound on nesting, line by line: distinct indentation levels still open, plus compact
 * block indicators (`- - x`, `? `) on the line, plus open flow brackets. Returns the first place
 * the bound exceeds `maxDepth`. Block scalar bodies and quoted text are skipped.
 */
export function findExcessiveNesting(text: string, maxDepth: number): DepthViolation | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  const indents: number[] = [];
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let blockScalarIndent: number | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    let indent = 0;
    while (indent < line.length && line[indent] === ' ') indent++;
    const blank = indent === line.length || line[indent] === '#';
    if (blockScalarIndent !== undefined) {
      if (blank || indent > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    if (blank && quote === undefined) continue;
    if (quote === undefined && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    let compact = 0;
    let previous = ''; // last significant character before the current one on this line
    for (let i = indent; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== undefined) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else {
            quote = undefined;
            previous = c;
          }
        }
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      // A quote opens a scalar only where a value starts; inside a plain scalar (`[a'b]`, `x 'y`)
      // it is an ordinary character, and taking it for a quote would hide the rest of the file.
      const valueStart = previous === '' || (flow > 0 ? '[{,:' : '-?:[{,').includes(previous);
      if ((c === '-' || c === '?') && flow === 0 && (line[i + 1] === ' ' || i + 1 === line.length)) {
        if (previous === '' || previous === '-' || previous === '?') compact++;
      } else if ((c === '"' || c === "'") && valueStart) {
        quote = c;
      } else if ((c === '[' || c === '{') && (valueStart || flow > 0)) {
        flow++;
      } else if ((c === ']' || c === '}') && flow > 0) {
        flow--;
      }
      const depth = indents.length + compact + flow;
      if (depth > maxDepth) return { line: index + 1, column: i + 1, depth };
      previous = c;
    }
    if (quote === undefined && flow === 0 && blockScalarHeader.test(line)) {
      const header = line.slice(indent);
      // `key: |`, `- |` or a bare `|` start a block scalar; `a: b|c` does not.
      if (/(^|[:\-?]\s+|^)[|>][0-9+-]*\s*(#.*)?$/.test(header)) blockScalarIndent = indent;
    }
  }
  return undefined;
}
