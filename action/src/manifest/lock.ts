import { Document, isMap, isScalar, isSeq, type Node, type Pair, parseDocument, type YAMLMap } from 'yaml';
import { splitPointer } from './parse-yaml.js';
import type { Listing } from './types.js';

/** A file's pin as `egress-gate lock` writes it. */
export interface FilePin {
  path: string;
  sha256: string;
  size: number;
}

/**
 * The pins for one item node: a file keeps its entry; a directory is replaced by its files, or
 * (with `listing`) keeps its entry and points at the listing that pins them.
 */
export interface ItemPins {
  /** JSON pointer of the item mapping, e.g. `/collections/0/items/2` or `/collections/1/generation/script`. */
  pointer: string;
  directory: boolean;
  files: FilePin[];
  listing?: Listing;
}

export interface LockResult {
  text: string;
  changed: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Writes pins into the manifest by splicing the source text at the positions the YAML document
 * gives: everything else (comments, blank lines, quoting, folded text) stays byte for byte, and
 * a manifest whose pins are already right comes back unchanged.
 */
export function applyPins(source: string, pins: readonly ItemPins[]): LockResult {
  const document = parseDocument(source, { uniqueKeys: true });
  const edits: Edit[] = [];
  for (const pin of pins) {
    const node = document.getIn(splitPointer(pin.pointer), true) as Node | undefined;
    if (!isMap(node) || !node.range) continue;
    if (pin.listing) {
      for (const edit of listingEdits(source, node, pin.listing)) edits.push(edit);
    } else if (node.flow) {
      const parent = document.getIn(splitPointer(pin.pointer).slice(0, -1), true);
      for (const edit of flowEdits(source, node, pin, isSeq(parent) && parent.flow === true))
        edits.push(edit);
    } else if (pin.directory) {
      edits.push(directoryEdit(source, node, pin));
    } else if (pin.files[0]) {
      for (const edit of fileEdits(source, node, pin.files[0])) edits.push(edit);
    }
  }
  if (edits.length === 0) return { text: source, changed: false };
  let text = source;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return { text, changed: text !== source };
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key);
}

function lineEnd(text: string, offset: number): number {
  const end = text.indexOf('\n', offset);
  return end === -1 ? text.length : end;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Where a pair's value ends (its key's end when the value is empty). */
function valueEnd(pair: Pair): number {
  const value = pair.value as Node | null;
  return value?.range?.[1] ?? (pair.key as Node).range![1];
}

function fileEdits(source: string, map: YAMLMap, pin: FilePin): Edit[] {
  const edits: Edit[] = [];
  const sha = pairOf(map, 'sha256');
  const size = pairOf(map, 'size');
  const path = pairOf(map, 'path')!;
  const indent = ' '.repeat(
    ((path.key as Node).range![0] ?? 0) - lineStart(source, (path.key as Node).range![0]),
  );
  const replaceValue = (pair: Pair, value: string) => {
    const node = pair.value as Node | null;
    if (isScalar(node) && String(node.value) === value) return;
    const range = node?.range;
    if (range) edits.push({ start: range[0], end: range[1], text: value });
    else {
      const at = (pair.key as Node).range![1];
      edits.push({ start: at, end: lineEnd(source, at), text: `: ${value}` });
    }
  };
  let insert = '';
  if (sha) replaceValue(sha, pin.sha256);
  else insert += `\n${indent}sha256: ${pin.sha256}`;
  if (size) replaceValue(size, String(pin.size));
  else if (sha) {
    const at = lineEnd(source, valueEnd(sha));
    edits.push({ start: at, end: at, text: `\n${indent}size: ${pin.size}` });
  } else insert += `\n${indent}size: ${pin.size}`;
  if (insert !== '') {
    const at = lineEnd(source, valueEnd(path));
    edits.push({ start: at, end: at, text: insert });
  }
  return edits;
}

/** A directory item with a listing: `listing:` is written (or refreshed) below its path. */
function listingEdits(source: string, map: YAMLMap, listing: Listing): Edit[] {
  const current = (pairOf(map, 'listing')?.value as { toJSON?: () => unknown } | null)?.toJSON?.() as
    | Record<string, unknown>
    | undefined;
  const fields = ['file', 'sha256', 'files', 'bytes'] as const;
  if (current && fields.every((f) => current[f] === listing[f]) && Object.keys(current).length === 4)
    return [];
  if (map.flow) {
    const value: Record<string, unknown> = {};
    for (const pair of map.items) {
      const key = String((pair.key as { value: unknown }).value);
      if (key !== 'listing') value[key] = (pair.value as { toJSON?: () => unknown })?.toJSON?.();
    }
    value['listing'] = { ...listing };
    const doc = new Document(value);
    (doc.contents as YAMLMap).flow = true;
    return [{ start: map.range![0], end: map.range![1], text: doc.toString({ lineWidth: 0 }).trimEnd() }];
  }
  const path = pairOf(map, 'path')!;
  const keyStart = (path.key as Node).range![0];
  const indent = ' '.repeat(keyStart - lineStart(source, keyStart));
  const body = fields
    .map((f) => `\n${indent}  ${f}: ${f === 'file' ? scalarText(listing.file) : listing[f]}`)
    .join('');
  const existing = pairOf(map, 'listing');
  if (existing) {
    const from = (existing.key as Node).range![1];
    // A block mapping's range ends after its last line break: step back onto its last line.
    let end = valueEnd(existing);
    while (end > from && /\s/.test(source[end - 1]!)) end--;
    return [{ start: from, end: lineEnd(source, end), text: `:${body}` }];
  }
  const at = lineEnd(source, valueEnd(path));
  return [{ start: at, end: at, text: `\n${indent}listing:${body}` }];
}

/** A block-style directory item becomes one `- path/sha256/size` entry per file, same indentation. */
function directoryEdit(source: string, map: YAMLMap, pin: ItemPins): Edit {
  const start = map.range![0];
  const keyColumn = start - lineStart(source, start);
  const itemPrefix = itemPrefixBefore(source, start);
  const indent = ' '.repeat(keyColumn);
  const path = pairOf(map, 'path')!;
  // The comment on the directory's path line stays on the first file's path line.
  const pathLineEnd = lineEnd(source, valueEnd(path));
  const trailing = source.slice(valueEnd(path), pathLineEnd);
  const description = pairOf(map, 'description');
  const describe = description
    ? `\n${indent}description: ${sourceOf(source, description.value as Node)}`
    : '';
  const entries = pin.files.map(
    (file, i) =>
      `${i === 0 ? '' : `\n${itemPrefix}`}path: ${scalarText(file.path)}${i === 0 ? trailing : ''}` +
      `\n${indent}sha256: ${file.sha256}\n${indent}size: ${file.size}${describe}`,
  );
  const end = lineEnd(
    source,
    map.items.reduce((last, p) => Math.max(last, valueEnd(p)), start),
  );
  if (entries.length === 0) {
    // Every file is already listed on its own: drop the directory entry, dash and all.
    const from = lineStart(source, start);
    return { start: from === 0 ? 0 : from - 1, end, text: '' };
  }
  return { start, end, text: entries.join('') };
}

/** The `  - ` in front of a sequence item, as the source writes it. */
function itemPrefixBefore(source: string, start: number): string {
  const dash = source.slice(lineStart(source, start), start);
  return dash.trimEnd().endsWith('-') ? dash : `${' '.repeat(Math.max(0, dash.length - 2))}- `;
}

function sourceOf(source: string, node: Node | null): string {
  return node?.range ? source.slice(node.range[0], node.range[1]) : "''";
}

/** A path as a YAML scalar: plain when that reads back as the same string, else double-quoted. */
function scalarText(value: string): string {
  const plain = new Document(value).toString().trimEnd();
  return plain.includes('\n') ? JSON.stringify(value) : plain;
}

/** Flow maps (`- {path: a}`) are rare; they are rewritten as a whole, still in flow style. */
function flowEdits(source: string, map: YAMLMap, pin: ItemPins, parentFlow: boolean): Edit[] {
  const [start, end] = map.range!;
  const extra = map.items
    .filter((p) => isScalar(p.key) && !['path', 'sha256', 'size'].includes(String(p.key.value)))
    .map((p) => ({
      key: String((p.key as { value: unknown }).value),
      value: (p.value as { toJSON?: () => unknown })?.toJSON?.(),
    }));
  const render = (file: FilePin) => {
    const doc = new Document({
      path: file.path,
      sha256: file.sha256,
      size: file.size,
      ...Object.fromEntries(extra.map((e) => [e.key, e.value])),
    });
    (doc.contents as YAMLMap).flow = true;
    return doc.toString({ lineWidth: 0 }).trimEnd();
  };
  if (!pin.directory) {
    const file = pin.files[0];
    if (!file) return [];
    const sha = pairOf(map, 'sha256')?.value;
    const size = pairOf(map, 'size')?.value;
    if (isScalar(sha) && sha.value === file.sha256 && isScalar(size) && size.value === file.size) return [];
    return [{ start, end, text: render(file) }];
  }
  if (pin.files.length === 0) {
    if (!parentFlow) {
      const from = lineStart(source, start);
      return [{ start: from === 0 ? 0 : from - 1, end: lineEnd(source, end), text: '' }];
    }
    const after = /^\s*,\s*/.exec(source.slice(end))?.[0];
    if (after) return [{ start, end: end + after.length, text: '' }];
    const before = /,\s*$/.exec(source.slice(0, start))?.[0] ?? '';
    return [{ start: start - before.length, end, text: '' }];
  }
  const separator = parentFlow ? ', ' : `\n${itemPrefixBefore(source, start)}`;
  return [{ start, end, text: pin.files.map(render).join(separator) }];
}
