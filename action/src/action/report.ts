import type { ReviewOutcome, ReviewState } from '../app/review.js';
import type { CommitStatus, ForgeKind } from '../forge/forge.js';
import type { CollectionResult, Policy } from '../policy/types.js';
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from '../shared/diagnostics.js';
import { escapeLogin, escapeText } from './escape.js';

/** The sticky comment's hidden marker; a comment counts as ours only if the bot also wrote it. */
export const commentMarker = '<!-- egress-gate:review -->';
export const statusContext = 'egress-gate';
/** Labels egress-gate manages in review mode (`egress:delivered` belongs to release mode). */
export const labelPrefix = 'egress:';

export interface ReportContext {
  forge: ForgeKind;
  runUrl?: string;
}

const headline: Record<ReviewState, string> = {
  cleared: '✅ Cleared',
  'awaiting-review': '⏳ Waiting for classifications',
  'needs-discussion': '💬 Needs discussion',
  'changes-requested': '⛔ Changes requested',
  blocked: '⛔ Blocked',
  invalid: '❌ Invalid request',
  refused: '⛔ Refused',
  'no-request': 'ℹ️ No egress request',
};

export function statusOf(outcome: ReviewOutcome, context: ReportContext): CommitStatus {
  const state: CommitStatus['state'] = outcome.passed
    ? 'success'
    : outcome.state === 'awaiting-review' || outcome.state === 'needs-discussion'
      ? 'pending'
      : 'failure';
  return {
    state,
    context: statusContext,
    description: describe(outcome),
    ...(context.runUrl ? { targetUrl: context.runUrl } : {}),
  };
}

/** One line for the status description and the action log (no user text beyond the request id). */
export function describe(outcome: ReviewOutcome): string {
  const id = outcome.requestId ? `${outcome.requestId}: ` : '';
  switch (outcome.state) {
    case 'no-request':
      return 'No egress request in this pull request; nothing to classify.';
    case 'cleared':
      return `${id}cleared at tier ${outcome.tier ?? '?'}.`;
    case 'awaiting-review': {
      const waiting = outcome.result?.collections.filter((c) => c.state === 'awaiting-review').length ?? 0;
      return `${id}waiting for classifications (${waiting} collection${waiting === 1 ? '' : 's'}).`;
    }
    case 'needs-discussion':
      return `${id}tiers differ: a discussion must be recorded.`;
    case 'changes-requested':
      return `${id}a role holder requested changes.`;
    case 'blocked':
      return `${id}blocked by the policy; see the comment.`;
    case 'invalid':
      return `${id}the request or the configuration is invalid; see the comment.`;
    case 'refused':
      return `${id}refused: ${outcome.refusals.length} rule${outcome.refusals.length === 1 ? '' : 's'} broken; see the comment.`;
  }
}

export function labelsOf(outcome: ReviewOutcome): string[] {
  const byState: Record<ReviewState, string | undefined> = {
    cleared: 'egress:cleared',
    'awaiting-review': 'egress:needs-review',
    'needs-discussion': 'egress:needs-discussion',
    'changes-requested': 'egress:blocked',
    blocked: 'egress:blocked',
    invalid: 'egress:blocked',
    refused: 'egress:blocked',
    'no-request': undefined,
  };
  const labels = [byState[outcome.state]];
  if (outcome.tier !== undefined && outcome.state !== 'no-request')
    labels.push(`egress:tier-${outcome.tier}`);
  return labels.filter((l): l is string => l !== undefined);
}

/** Labels to add and remove so the pull request carries exactly `wanted` among egress-gate's labels. */
export function planLabels(
  current: readonly string[],
  wanted: readonly string[],
): { add: string[]; remove: string[] } {
  const managed = current.filter((l) => l.startsWith(labelPrefix) && l !== 'egress:delivered');
  return {
    add: wanted.filter((l) => !current.includes(l)),
    remove: managed.filter((l) => !wanted.includes(l)),
  };
}

/** GitHub refuses comment bodies over 65,536 characters; a margin is kept below it. */
export const maxCommentLength = 65_000;
/** Items shown per list before "… and N more", tried in turn until the comment fits. */
const listLimits = [25, 10, 3, 1];

export function renderComment(outcome: ReviewOutcome, context: ReportContext): string {
  return fitted(outcome, context, `${commentMarker}\n`, maxCommentLength);
}

/** The job summary carries the same report as the comment (GitHub allows 1 MiB; the same cap keeps it readable). */
export function renderSummary(outcome: ReviewOutcome, context: ReportContext): string {
  return fitted(outcome, context, '', maxCommentLength);
}

/** The longest rendering (most items per list) that fits; cut hard as a last resort. */
function fitted(outcome: ReviewOutcome, context: ReportContext, prefix: string, max: number): string {
  let body = '';
  for (const limit of listLimits) {
    body = prefix + renderBody(outcome, context, limit);
    if (body.length <= max) return body;
  }
  const note = "\n\n… (cut to fit the forge's comment size limit; the job log has every detail)";
  return body.slice(0, max - note.length) + note;
}

/** The first `limit` lines, then one line saying how many more there are. */
function capped(lines: readonly string[], limit: number): string[] {
  if (lines.length <= limit) return [...lines];
  return [...lines.slice(0, limit), `- … and ${lines.length - limit} more`];
}

function renderBody(outcome: ReviewOutcome, context: ReportContext, limit: number): string {
  const out: string[] = [];
  const id = outcome.requestId
    ? ` — request \`${escapeText(outcome.requestId, 100).replace(/`/g, '')}\``
    : '';
  out.push(`### egress-gate${id}`, '');
  if (outcome.manifest)
    out.push(
      `*${escapeText(outcome.manifest.title, 200)}* — requested by ${escapeLogin(outcome.manifest.requester)}`,
      '',
    );
  out.push(`**${headline[outcome.state]}** ${escapeText(describe(outcome))}`, '');

  if (outcome.refusals.length > 0) {
    out.push(
      '#### Refused',
      '',
      ...capped(
        outcome.refusals.map((r) => `- ${escapeText(r, 1000)}`),
        limit,
      ),
      '',
    );
  }
  const { result, policy } = outcome;
  if (result && policy) {
    out.push(...renderTable(result.collections, policy, Math.max(limit * 4, 20)), '');
    const missing = result.collections.flatMap((c) =>
      c.missing.map((m) => `- **${escapeText(c.name, 100)}**: ${escapeText(m)}`),
    );
    if (missing.length > 0 && outcome.state !== 'refused')
      out.push('#### What is still missing', '', ...capped(missing, limit), '');
    const ignored = result.collections.flatMap((c) => c.ignored.map((i) => ({ ...i, collection: c.name })));
    const unique = [...new Map(ignored.map((i) => [`${i.reviewId}:${i.detail}`, i])).values()];
    if (unique.length > 0) {
      out.push(
        '#### Reviews not counted',
        '',
        ...capped(
          unique.map((i) => `- ${escapeText(i.detail)}`),
          limit,
        ),
        '',
      );
    }
    if (result.reasons.length > 0)
      out.push(
        '#### Request',
        '',
        ...capped(
          result.reasons.map((r) => `- ${escapeText(r)}`),
          limit,
        ),
        '',
      );
    const reasons = result.collections.flatMap((c) =>
      c.reasons.map((r) => `- **${escapeText(c.name, 100)}**: ${escapeText(r)}`),
    );
    if (reasons.length > 0) {
      out.push(
        '<details><summary>How each decision was made</summary>',
        '',
        ...capped(reasons, limit * 2),
        '',
        '</details>',
        '',
      );
    }
  }
  out.push(...renderFindings(outcome, limit));
  const problems = sortDiagnostics(outcome.diagnostics);
  if (problems.length > 0) {
    // Gitea shows no annotations: the comment is where people read the file:line problems.
    out.push(
      context.forge === 'gitea' ? '#### Problems' : '#### Problems (also annotated on the files)',
      '',
      ...capped(
        problems.map((d) => `- ${codeSpan(formatDiagnostic(d))}`),
        limit * 2,
      ),
      '',
    );
  }
  if (outcome.notes.length > 0)
    out.push(
      ...capped(
        outcome.notes.map((n) => `> ${escapeText(n)}`),
        limit,
      ),
      '',
    );
  const footer = [
    `head \`${outcome.pull.headSha.slice(0, 7)}\``,
    `configuration from ${escapeText(outcome.pull.baseRef, 100)} at \`${(outcome.trustedSha ?? outcome.pull.baseSha).slice(0, 7)}\``,
    ...(policy ? [`policy \`${escapeText(policy.name, 80)}\``] : []),
    ...(context.runUrl ? [`[run](${context.runUrl})`] : []),
  ];
  out.push(`<sub>Evaluated at ${footer.join(' · ')}. Updated on every push and review.</sub>`);
  return out.join('\n');
}

/** At most this many findings are listed; the rest are counted, so a noisy output cannot flood the comment. */
const MAX_FINDINGS_SHOWN = 30;

function renderFindings(outcome: ReviewOutcome, limit: number): string[] {
  const all = (outcome.findings ?? []).flatMap((c) =>
    c.findings.map((f) => ({ ...f, collection: c.collection })),
  );
  if (outcome.findings === undefined) return [];
  if (all.length === 0)
    return ['#### Disclosure-risk checks', '', 'No findings in the outputs (advisory).', ''];
  const shown = Math.min(MAX_FINDINGS_SHOWN, limit + 5);
  const lines = all.slice(0, shown).map((f) => {
    const where = f.line > 0 ? `${f.path}:${f.line}:${f.column}` : f.path;
    return `- ${codeSpan(where)} ${escapeText(f.code, 40)}: ${escapeText(f.message)} (${escapeText(f.collection, 100)})`;
  });
  const more = all.length > shown ? [`- … and ${all.length - shown} more`] : [];
  return [
    '#### Disclosure-risk findings (advisory: for the reviewers to judge, never an approval)',
    '',
    ...lines,
    ...more,
    '',
  ];
}

/** Inside a code span nothing renders (no HTML, no mentions); only backticks and newlines could escape it. */
function codeSpan(text: string): string {
  const flat = text.replace(/[`\r\n]+/g, "'").slice(0, 600);
  return `\`${flat}\``;
}

function renderTable(collections: readonly CollectionResult[], policy: Policy, limit: number): string[] {
  const roles = policy.classifyingRoles;
  const head = `| Collection | ${roles.map((r) => escapeText(r.title, 60)).join(' | ')} | State |`;
  const rule = `|---|${roles.map(() => '---|').join('')}---|`;
  const rows = collections.slice(0, limit).map((c) => {
    const cells = roles.map((r) => {
      const k = c.classifications.find((x) => x.role === r.id);
      return k ? `tier ${k.tier} · ${escapeLogin(k.user)} · \`${k.commit.slice(0, 7)}\`` : '—';
    });
    const state = c.tier !== undefined ? `${c.state} (tier ${c.tier})` : c.state;
    return `| ${escapeText(c.name, 100)} | ${cells.join(' | ')} | ${state} |`;
  });
  const more =
    collections.length > limit
      ? ['', `… and ${collections.length - limit} more collections (see the job log)`]
      : [];
  return [head, rule, ...rows, ...more];
}

/** Diagnostics as file:line:column annotations (GitHub renders them on the diff). */
export function annotationsOf(diagnostics: readonly Diagnostic[]) {
  return sortDiagnostics(diagnostics).map((d) => ({
    severity: d.severity,
    message: `${d.code}: ${d.message}`,
    file: d.file,
    ...(d.line > 0 ? { startLine: d.line, startColumn: d.column } : {}),
  }));
}
