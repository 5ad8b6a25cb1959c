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

export function renderComment(outcome: ReviewOutcome, context: ReportContext): string {
  return `${commentMarker}\n${renderBody(outcome, context)}`;
}

/** The job summary carries the same report as the comment. */
export function renderSummary(outcome: ReviewOutcome, context: ReportContext): string {
  return renderBody(outcome, context);
}

function renderBody(outcome: ReviewOutcome, context: ReportContext): string {
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
    out.push('#### Refused', '', ...outcome.refusals.map((r) => `- ${escapeText(r, 1000)}`), '');
  }
  const { result, policy } = outcome;
  if (result && policy) {
    out.push(...renderTable(result.collections, policy), '');
    const missing = result.collections.flatMap((c) =>
      c.missing.map((m) => `- **${escapeText(c.name, 100)}**: ${escapeText(m)}`),
    );
    if (missing.length > 0 && outcome.state !== 'refused')
      out.push('#### What is still missing', '', ...missing, '');
    const ignored = result.collections.flatMap((c) => c.ignored.map((i) => ({ ...i, collection: c.name })));
    const unique = [...new Map(ignored.map((i) => [`${i.reviewId}:${i.detail}`, i])).values()];
    if (unique.length > 0) {
      out.push('#### Reviews not counted', '', ...unique.map((i) => `- ${escapeText(i.detail)}`), '');
    }
    if (result.reasons.length > 0)
      out.push('#### Request', '', ...result.reasons.map((r) => `- ${escapeText(r)}`), '');
    const reasons = result.collections.flatMap((c) =>
      c.reasons.map((r) => `- **${escapeText(c.name, 100)}**: ${escapeText(r)}`),
    );
    if (reasons.length > 0) {
      out.push(
        '<details><summary>How each decision was made</summary>',
        '',
        ...reasons,
        '',
        '</details>',
        '',
      );
    }
  }
  out.push(...renderFindings(outcome));
  const problems = sortDiagnostics(outcome.diagnostics);
  if (problems.length > 0) {
    // Gitea shows no annotations: the comment is where people read the file:line problems.
    out.push(
      context.forge === 'gitea' ? '#### Problems' : '#### Problems (also annotated on the files)',
      '',
      ...problems.map((d) => `- ${codeSpan(formatDiagnostic(d))}`),
      '',
    );
  }
  if (outcome.notes.length > 0) out.push(...outcome.notes.map((n) => `> ${escapeText(n)}`), '');
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

function renderFindings(outcome: ReviewOutcome): string[] {
  const all = (outcome.findings ?? []).flatMap((c) =>
    c.findings.map((f) => ({ ...f, collection: c.collection })),
  );
  if (outcome.findings === undefined) return [];
  if (all.length === 0)
    return ['#### Disclosure-risk checks', '', 'No findings in the outputs (advisory).', ''];
  const lines = all.slice(0, MAX_FINDINGS_SHOWN).map((f) => {
    const where = f.line > 0 ? `${f.path}:${f.line}:${f.column}` : f.path;
    return `- ${codeSpan(where)} ${escapeText(f.code, 40)}: ${escapeText(f.message)} (${escapeText(f.collection, 100)})`;
  });
  const more = all.length > MAX_FINDINGS_SHOWN ? [`- … and ${all.length - MAX_FINDINGS_SHOWN} more`] : [];
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

function renderTable(collections: readonly CollectionResult[], policy: Policy): string[] {
  const roles = policy.classifyingRoles;
  const head = `| Collection | ${roles.map((r) => escapeText(r.title, 60)).join(' | ')} | State |`;
  const rule = `|---|${roles.map(() => '---|').join('')}---|`;
  const rows = collections.map((c) => {
    const cells = roles.map((r) => {
      const k = c.classifications.find((x) => x.role === r.id);
      return k ? `tier ${k.tier} · ${escapeLogin(k.user)} · \`${k.commit.slice(0, 7)}\`` : '—';
    });
    const state = c.tier !== undefined ? `${c.state} (tier ${c.tier})` : c.state;
    return `| ${escapeText(c.name, 100)} | ${cells.join(' | ')} | ${state} |`;
  });
  return [head, rule, ...rows];
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
