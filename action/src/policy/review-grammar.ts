/**
 * The tier lines of a review body: `tier: N` for every collection, `tier <collection>: N` for one.
 * Case-insensitive, on any line of the body. A line is a tier line when it starts with the word
 * `tier`, optionally one more word, then a colon; prose such as "Tier 2 items were removed" is not.
 */
import type { Policy } from './types.js';

export interface TierLine {
  /** 1-based line number in the review body. */
  line: number;
  /** Lower-cased collection name, or undefined for `tier: N` (every collection). */
  collection?: string;
  tier: number;
}

export type TierParse =
  | { ok: true; lines: TierLine[]; tiers: Map<string, number> }
  | { ok: false; errors: string[] };

// `tier`, an optional collection word, a colon, then the value (checked separately so that a
// malformed value is reported rather than ignored).
const tierLinePattern = /^tier(?:\s+([^\s:]+))?\s*:(.*)$/i;
const markerPattern = /^(?:[-*+]\s+|\d+[.)]\s+)/;

/** Strips list markers and emphasis/code wrapping that reviewers add in Markdown. */
function unwrapLine(raw: string): string | undefined {
  const line = raw.trim();
  // Quoted text is someone else's words (a reply quoting another review): never a classification.
  if (line.startsWith('>')) return undefined;
  let text = line.replace(markerPattern, '');
  for (const wrap of ['`', '**', '__', '*', '_']) {
    if (text.length > 2 * wrap.length && text.startsWith(wrap) && text.endsWith(wrap)) {
      text = text.slice(wrap.length, -wrap.length).trim();
    }
  }
  return text;
}

/**
 * Reads every tier line of `body`. `collectionNames` are the request's collections. `tier: N`
 * applies to every collection and `tier <collection>: N` to one; a collection given two different
 * tiers (by either form) is a conflict. Any malformed line, unknown tier or collection, or
 * conflict makes the whole review invalid.
 */
export function parseTiers(body: string, collectionNames: readonly string[], policy: Policy): TierParse {
  const allowed = policy.tiers.map((t) => t.tier).sort((a, b) => a - b);
  const known = new Map(collectionNames.map((name) => [name.toLowerCase(), name]));
  const lines: TierLine[] = [];
  const errors: string[] = [];
  const rows = body.split(/\r?\n|\r/);
  // A fenced block (``` or ~~~) is quoted material, like a `>` line: a pasted log, a manifest.
  let fence: string | undefined;
  rows.forEach((raw, index) => {
    const opener = /^\s*(`{3,}|~{3,})/.exec(raw)?.[1];
    if (opener && (fence === undefined || opener.startsWith(fence))) {
      fence = fence === undefined ? opener : undefined;
      return;
    }
    if (fence !== undefined) return;
    const text = unwrapLine(raw);
    if (text === undefined) return;
    const match = tierLinePattern.exec(text);
    if (!match) return;
    const lineNo = index + 1;
    const quoted = `\`${text.length > 60 ? `${text.slice(0, 57)}...` : text}\``;
    const name = match[1]?.toLowerCase();
    const value = (match[2] ?? '').trim();
    if (name !== undefined && !known.has(name)) {
      const names = [...known.values()].join(', ');
      errors.push(
        `line ${lineNo} ${quoted}: no collection named '${match[1]}' in this request (collections: ${names})`,
      );
      return;
    }
    if (!/^\d{1,3}$/.test(value)) {
      errors.push(`line ${lineNo} ${quoted}: the tier must be a whole number from ${allowed.join(', ')}`);
      return;
    }
    const tier = Number(value);
    if (!allowed.includes(tier)) {
      errors.push(
        `line ${lineNo} ${quoted}: tier ${tier} does not exist in this policy (tiers: ${allowed.join(', ')})`,
      );
      return;
    }
    lines.push(name === undefined ? { line: lineNo, tier } : { line: lineNo, collection: name, tier });
  });

  const tiers = new Map<string, number>();
  const source = new Map<string, TierLine>();
  for (const line of lines) {
    const targets = line.collection === undefined ? [...known.keys()] : [line.collection];
    for (const target of targets) {
      const previous = source.get(target);
      if (previous && previous.tier !== line.tier) {
        errors.push(
          `lines ${previous.line} and ${line.line} give '${known.get(target)}' two different tiers (${previous.tier} and ${line.tier})`,
        );
        continue;
      }
      if (!previous) {
        source.set(target, line);
        tiers.set(known.get(target) ?? target, line.tier);
      }
    }
  }
  if (errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, lines, tiers };
}
