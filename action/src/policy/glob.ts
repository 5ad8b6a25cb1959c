/**
 * A small glob matcher for pre-approved forms: `*` (any characters but `/`), `**` (any number of
 * whole path segments), `?` (one character but `/`). Everything else is literal, so a pattern can
 * never inject a regular expression. Paths and patterns are POSIX and relative.
 */

type Token = { kind: 'literal'; text: string } | { kind: 'star' } | { kind: 'any-one' };

function tokenizeSegment(segment: string): Token[] {
  const tokens: Token[] = [];
  for (const ch of segment) {
    if (ch === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') {
      tokens.push({ kind: 'any-one' });
    } else {
      const last = tokens.at(-1);
      if (last?.kind === 'literal') last.text += ch;
      else tokens.push({ kind: 'literal', text: ch });
    }
  }
  return tokens;
}

/** Dynamic programming over (token, position): linear in pattern × name, whatever the stars. */
function matchSegment(tokens: readonly Token[], text: string): boolean {
  // reachable[pos]: the tokens consumed so far can end at `pos`.
  let reachable: boolean[] = Array.from({ length: text.length + 1 }, (_, i) => i === 0);
  for (const token of tokens) {
    const next: boolean[] = new Array(text.length + 1).fill(false);
    for (let pos = 0; pos <= text.length; pos++) {
      if (!reachable[pos]) continue;
      if (token.kind === 'star') {
        for (let end = pos; end <= text.length; end++) next[end] = true;
        break;
      }
      if (token.kind === 'any-one') {
        if (pos < text.length) next[pos + 1] = true;
      } else if (text.startsWith(token.text, pos)) {
        next[pos + token.text.length] = true;
      }
    }
    reachable = next;
  }
  return reachable[text.length] === true;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.');
}

/** True when `path` matches `pattern`. */
export function matchGlob(pattern: string, path: string): boolean {
  const patternSegments = splitPath(pattern);
  const pathSegments = splitPath(path);
  const compiled = patternSegments.map((s) => (s === '**' ? ('globstar' as const) : tokenizeSegment(s)));
  // Memoised on (pattern index, path index): `**` can otherwise explode on long paths.
  const memo = new Map<number, boolean>();
  const walk = (pi: number, si: number): boolean => {
    const key = pi * (pathSegments.length + 1) + si;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (pi === compiled.length) {
      result = si === pathSegments.length;
    } else {
      const part = compiled[pi]!;
      if (part === 'globstar') {
        result = walk(pi + 1, si) || (si < pathSegments.length && walk(pi, si + 1));
      } else {
        result = si < pathSegments.length && matchSegment(part, pathSegments[si]!) && walk(pi + 1, si + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return walk(0, 0);
}
