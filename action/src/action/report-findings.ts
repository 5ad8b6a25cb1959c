/**
 * Disclosure-risk findings in the sticky comment (grouped per collection and file, capped) and as
 * annotations (at the item's line in the manifest and at the output file's line).
 */
import type { CollectionFindings, RequestFinding } from '../app/scan-request.js';
import { escapeText } from './escape.js';

/** Findings listed per file before "… and M more". */
export const MAX_PER_FILE = 10;
/** Findings listed in the whole comment. */
export const MAX_SHOWN = 60;
/** Characters the section may take: the whole comment must stay under GitHub's 65,536. */
export const MAX_SECTION_CHARS = 20_000;
/** Annotations per run (GitHub shows 10 warnings per step, 50 per job). */
export const MAX_ANNOTATIONS = 20;

/** Inside a code span nothing renders (no HTML, no mentions); only backticks and newlines could escape it. */
function codeSpan(text: string): string {
  return `\`${text.replace(/[`\r\n]+/g, "'").slice(0, 300)}\``;
}

function where(f: RequestFinding): string {
  const at = f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
  return f.cell ? `${at} (${f.cell})` : at;
}

function describeFinding(f: RequestFinding): string {
  const tags = [f.severity === 'blocking' ? '**blocking**' : 'advice', f.basis].join(' · ');
  const line = `${codeSpan(f.line > 0 ? `:${f.line}:${f.column}${f.cell ? ` ${f.cell}` : ''}` : f.cell ? f.cell : 'file')} ${escapeText(f.rule, 40)} (${tags}): ${escapeText(f.message, 300)} — *${escapeText(f.advice, 200)}*`;
  return f.acknowledged
    ? `${line}<br>✔ acknowledged in the manifest: “${escapeText(f.acknowledged.reason, 300)}”`
    : line;
}

/**
 * `limit` (optional) tightens the caps when the whole comment must shrink to fit: at most `limit`
 * findings per file and `4 × limit` in all.
 */
export function renderFindingsSection(
  collections: readonly CollectionFindings[] | undefined,
  limit?: number,
): string[] {
  if (collections === undefined) return [];
  const perFile = limit === undefined ? MAX_PER_FILE : Math.min(MAX_PER_FILE, limit);
  const maxShown = limit === undefined ? MAX_SHOWN : Math.min(MAX_SHOWN, limit * 4);
  const total = collections.reduce((n, c) => n + c.findings.length, 0);
  const title = '#### Disclosure-risk findings (advisory: for the reviewers to judge, never an approval)';
  if (total === 0) return ['#### Disclosure-risk checks', '', 'No findings in the outputs (advisory).', ''];
  const count = (p: (f: RequestFinding) => boolean) =>
    collections.reduce((n, c) => n + c.findings.filter(p).length, 0);
  const blocking = count((f) => f.severity === 'blocking' && !f.acknowledged);
  const acknowledged = count((f) => f.acknowledged !== undefined);
  const out = [
    title,
    '',
    `${total} finding${total === 1 ? '' : 's'}: ${blocking} blocking, ${acknowledged} acknowledged in the manifest. *declared*: checked against the table declaration; *inferred*: guessed from the data — declare the table in the manifest to make the check exact.`,
    '',
  ];
  let shown = 0;
  let chars = out.join('\n').length;
  let omitted = 0;
  for (const c of collections) {
    if (c.findings.length === 0) continue;
    const files = new Map<string, RequestFinding[]>();
    for (const f of c.findings) files.set(f.file, [...(files.get(f.file) ?? []), f]);
    const head = `**${escapeText(c.collection, 100)}**`;
    out.push(head);
    chars += head.length + 1;
    for (const [file, list] of files) {
      const fileLine = `- ${codeSpan(file)} — ${list.length} finding${list.length === 1 ? '' : 's'}`;
      if (shown >= maxShown || chars + fileLine.length > MAX_SECTION_CHARS) {
        omitted += list.length;
        continue;
      }
      out.push(fileLine);
      chars += fileLine.length + 1;
      // Blocking and unacknowledged first: what the reviewers must look at.
      const ordered = [...list].sort((a, b) => rank(a) - rank(b));
      let listed = 0;
      for (const f of ordered) {
        const text = `  - ${describeFinding(f)}`;
        if (listed >= perFile || shown >= maxShown || chars + text.length > MAX_SECTION_CHARS) break;
        out.push(text);
        chars += text.length + 1;
        listed += 1;
        shown += 1;
      }
      if (listed < list.length) out.push(`  - … and ${list.length - listed} more in this file`);
    }
    out.push('');
  }
  if (omitted > 0)
    out.push(`… and ${omitted} more findings in other files (run \`egress-gate check\` for all).`, '');
  return out;
}

function rank(f: RequestFinding): number {
  if (f.severity === 'blocking' && !f.acknowledged) return 0;
  return f.acknowledged ? 2 : 1;
}

export interface FindingAnnotation {
  severity: 'error' | 'warning';
  message: string;
  file: string;
  startLine?: number;
  startColumn?: number;
}

/**
 * One annotation per finding at the item's line in the manifest, and one at the output file's line
 * (`outputsRoot` is where the outputs sit in the repository). Acknowledged findings are not annotated.
 */
export function findingAnnotations(
  collections: readonly CollectionFindings[] | undefined,
  manifestPath: string | undefined,
  outputsRoot: string | undefined,
): FindingAnnotation[] {
  const out: FindingAnnotation[] = [];
  const seen = new Set<string>();
  for (const c of collections ?? []) {
    for (const f of c.findings) {
      if (f.acknowledged) continue;
      const key = `${f.rule}\u0000${where(f)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const severity = f.severity === 'blocking' ? 'error' : 'warning';
      const message = `${f.rule} (${f.basis}): ${where(f)}: ${f.message} — ${f.advice}`;
      if (manifestPath && f.manifest) {
        out.push({
          severity,
          message,
          file: manifestPath,
          startLine: f.manifest.line,
          startColumn: f.manifest.column,
        });
      }
      if (outputsRoot !== undefined && f.rule !== 'unmatched-acknowledgement') {
        const file = `${outputsRoot.replace(/\/+$/, '')}/${f.file}`;
        out.push({
          severity,
          message,
          file,
          ...(f.line > 0 ? { startLine: f.line, startColumn: f.column } : {}),
        });
      }
    }
  }
  return out.slice(0, MAX_ANNOTATIONS);
}
