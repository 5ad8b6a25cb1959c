import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import { createDiagnostic, type Diagnostic } from '../shared/diagnostics.js';
import { defaultYamlLimits, findExcessiveNesting, type YamlLimits } from './yaml-limits.js';

/** A parsed YAML file: its value (when it could be built), the document for positions, problems. */
export interface ParsedYaml {
  file: string;
  text: string;
  /** Undefined when the text could not be parsed safely. */
  value?: unknown;
  document?: Document.Parsed;
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

export interface Position {
  line: number;
  column: number;
}

function diagnostic(file: string, code: string, message: string, at: Position, pointer = ''): Diagnostic {
  return createDiagnostic({
    file,
    line: at.line,
    column: at.column,
    pointer,
    code,
    severity: 'error',
    message,
  });
}

const wholeFile: Position = { line: 0, column: 0 };

/**
 * Parses one YAML document with duplicate keys, aliases, size and nesting bounded. Never throws
 * for bad input: every problem is a diagnostic.
 */
export function parseYaml(text: string, file: string, limits: YamlLimits = defaultYamlLimits): ParsedYaml {
  const lineCounter = new LineCounter();
  const result: ParsedYaml = { file, text, lineCounter, diagnostics: [] };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    result.diagnostics.push(
      diagnostic(
        file,
        'too-large',
        `the file is ${bytes} bytes; the limit is ${limits.maxBytes} bytes. Split the request or list directories instead of files.`,
        wholeFile,
      ),
    );
    return result;
  }
  const deep = findExcessiveNesting(text, limits.maxDepth);
  if (deep) {
    result.diagnostics.push(
      diagnostic(
        file,
        'too-deep',
        `nesting goes deeper than ${limits.maxDepth} levels here; manifests need only a few levels.`,
        deep,
      ),
    );
    return result;
  }
  const document = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    keepSourceTokens: false,
  });
  result.document = document;
  // One mistake (a line indented one space too far) makes the parser report a cascade of
  // errors on the following lines: say the first syntax error only, and every duplicate key.
  // The parser does not report in text order ("block collection inside a flow one" comes last).
  const syntax = document.errors
    .filter((e) => e.code !== 'DUPLICATE_KEY')
    .sort((a, b) => a.pos[0] - b.pos[0]);
  const reported = syntax.length > 0 ? [syntax[0]!] : document.errors;
  const seen = new Set<string>();
  for (const error of reported) {
    const indentation = syntax.length > 0 ? describeIndentation(text, lineCounter, syntax) : undefined;
    const offset =
      error.code === 'MISSING_CHAR'
        ? (unclosedQuoteStart(document, error.pos[0]) ?? error.pos[0])
        : error.pos[0];
    const { line, col } = lineCounter.linePos(offset);
    const at = indentation?.at ?? { line, column: col };
    const duplicate = error.code === 'DUPLICATE_KEY';
    const message = duplicate
      ? `duplicate key${quoteKeyAt(document, error.pos[0])}: each key may appear once in a mapping. Remove or merge the repeated one.`
      : (indentation?.message ?? `YAML syntax: ${describeYamlError(error.code, error.message)}`);
    const key = `${at.line}:${at.column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.diagnostics.push(diagnostic(file, duplicate ? 'duplicate-key' : 'yaml-syntax', message, at));
  }
  if (result.diagnostics.length > 0) return result;
  const expansion = measureAliasExpansion(document, lineCounter, limits.maxAliasNodes);
  if (expansion !== undefined) {
    result.diagnostics.push(diagnostic(file, 'too-many-aliases', expansion.message, expansion.at));
    return result;
  }
  try {
    // The expansion is bounded above; the parser's own alias counter would refuse honest files.
    result.value = document.toJS({ maxAliasCount: -1 });
  } catch (error) {
    result.diagnostics.push(
      diagnostic(file, 'yaml-syntax', `YAML could not be read: ${firstLine(String(error))}`, wholeFile),
    );
  }
  return result;
}

const indentationCodes = new Set(['BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'BAD_INDENT']);

/**
 * A line indented unlike its siblings shows up as "nested mappings are not allowed in compact
 * mappings", "implicit keys need to be on a single line" or "sequence item without - indicator",
 * reported on the line before. Find the line that breaks the indentation and say that instead.
 */
function describeIndentation(
  text: string,
  lineCounter: LineCounter,
  errors: readonly { code: string; message: string; pos: [number, number] }[],
): { at: Position; message: string } | undefined {
  const first = errors[0]!;
  const missingDash = first.code === 'MISSING_CHAR' && /without - indicator/.test(first.message);
  if (!indentationCodes.has(first.code) && !missingDash) return undefined;
  // The implicit-key error spans from the key on the line above into the misplaced line.
  const multiline = errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY');
  const offset = missingDash ? first.pos[0] : (multiline?.pos[1] ?? first.pos[1]);
  const lines = text.split(/\r\n|\n|\r/);
  let index = lineCounter.linePos(offset).line - 1;
  if (multiline && !missingDash) {
    // pos[1] is just past the end of the continued key: the misplaced line itself.
    index = Math.min(index, lines.length - 1);
  }
  const indentOf = (s: string) => s.length - s.trimStart().length;
  const line = lines[index];
  if (line === undefined || line.trim() === '') return undefined;
  let previous = index - 1;
  while (previous >= 0 && (lines[previous]!.trim() === '' || lines[previous]!.trimStart().startsWith('#')))
    previous--;
  const here = indentOf(line);
  const above = previous >= 0 ? indentOf(lines[previous]!.replace(/^(\s*)- /, '$1  ')) : 0;
  const what = line
    .trim()
    .split(/:\s|:$/)[0]!
    .slice(0, 40);
  return {
    at: { line: index + 1, column: here + 1 },
    message:
      `YAML indentation: '${what}' is indented ${here} space${here === 1 ? '' : 's'}, the line above ${above}; ` +
      'keys of one mapping (and the items of one list) must start in the same column. Line it up with its siblings.',
  };
}

interface ExpansionProblem {
  at: Position;
  message: string;
}

/**
 * Counts the nodes that aliases would produce when the document becomes a value, without
 * building it: each anchored node's expanded size is computed once, in document order (an alias
 * always refers to an earlier anchor, so its size is known when the alias is met). The count
 * stops as soon as it passes the limit, so an alias bomb costs time linear in the file.
 */
function measureAliasExpansion(
  document: Document.Parsed,
  lineCounter: LineCounter,
  limit: number,
): ExpansionProblem | undefined {
  const sizes = new Map<unknown, number>();
  let produced = 0;
  let problem: { offset: number; recursive: boolean } | undefined;
  const sizeOf = (node: unknown): number => {
    if (problem) return 0;
    if (isAlias(node)) {
      const target = node.resolve(document);
      const size = target === undefined ? 1 : sizes.get(target);
      if (size === undefined) {
        problem = { offset: node.range?.[0] ?? 0, recursive: true };
        return 0;
      }
      produced += size;
      if (produced > limit) problem = { offset: node.range?.[0] ?? 0, recursive: false };
      return size;
    }
    let size = 1;
    if (isMap(node)) {
      for (const pair of node.items) size += sizeOf(pair.key) + sizeOf(pair.value);
    } else if (isSeq(node)) {
      for (const item of node.items) size += sizeOf(item);
    }
    if (isNode(node)) sizes.set(node, size);
    return size;
  };
  sizeOf(document.contents);
  if (!problem) return undefined;
  const { line, col } = lineCounter.linePos(problem.offset);
  return {
    at: { line, column: col },
    message: problem.recursive
      ? 'this alias refers to the node it is part of (a recursive alias); write the values out instead.'
      : `aliases here expand to more than ${limit} nodes in all (an alias bomb?); write the values out instead.`,
  };
}

function describeYamlError(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') {
    return "a manifest is one YAML document; remove the '---' separator and what follows, or split it into files";
  }
  if (code === 'TAB_AS_INDENT') return 'tabs are not allowed as indentation; indent with spaces';
  if (code === 'MISSING_CHAR' && /quote/i.test(message)) {
    return 'this quoted text is never closed; add the closing quote';
  }
  return firstLine(message);
}

/** The yaml package reports an unclosed quote at the end of the file; point at where it opened. */
function unclosedQuoteStart(document: Document.Parsed, errorOffset: number): number | undefined {
  let found: number | undefined;
  visit(document, {
    Scalar(_key, node) {
      const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
      const range = node.range;
      if (quoted && range && range[0] <= errorOffset && range[1] >= errorOffset - 1) found = range[0];
    },
  });
  return found;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}

function quoteKeyAt(document: Document.Parsed, offset: number): string {
  let found: string | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.range?.[0] === offset) found = String(pair.key.value);
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(document.contents);
  return found === undefined ? '' : ` '${found}'`;
}

function decodeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Splits a JSON pointer into its decoded segments. */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(decodeSegment);
}

export function encodePointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * The node a JSON pointer names, or its nearest existing ancestor. With `key`, the last segment's
 * key in its mapping (where an unknown field is written).
 */
export function findNode(document: Document.Parsed, pointer: string, key = false): Node | undefined {
  let node: unknown = document.contents;
  const segments = splitPointer(pointer);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
      if (!pair) break;
      if (key && i === segments.length - 1) return pair.key as Node;
      next = pair.value;
    } else if (isSeq(node)) {
      next = node.items[Number(segment)];
    }
    if (next === undefined || next === null) break;
    node = next;
  }
  return (node ?? undefined) as Node | undefined;
}

/** Line and column (1-based) of what a JSON pointer names; the file start when nothing matches. */
export function locate(parsed: ParsedYaml, pointer: string, key = false): Position {
  if (!parsed.document) return { line: 1, column: 1 };
  const node = findNode(parsed.document, pointer, key);
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { line, column: col };
}

/** A diagnostic located at a JSON pointer of a parsed file. */
export function diagnosticAt(
  parsed: ParsedYaml,
  pointer: string,
  code: string,
  message: string,
  options: { key?: boolean; severity?: 'error' | 'warning' } = {},
): Diagnostic {
  const at = locate(parsed, pointer, options.key ?? false);
  const made = diagnostic(parsed.file, code, message, at, pointer);
  return options.severity === 'warning' ? { ...made, severity: 'warning' } : made;
}
