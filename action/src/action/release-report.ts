import type { PullRequestSource } from '../app/pull-request-source.js';
import type { CollectionRelease, ReleaseOutcome } from '../app/release.js';
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from '../shared/diagnostics.js';
import { escapeLogin, escapeText } from './escape.js';

/** Release comments carry their own marker; one is posted per release run (an audit trail). */
export const releaseCommentMarker = '<!-- egress-gate:release -->';
export const deliveredLabel = 'egress:delivered';

/** What a release run concluded, for the comment, the summary, the outputs and the log. */
export interface ReleaseReport {
  requestId?: string;
  title?: string;
  requester?: string;
  pullRequest?: number;
  merger?: string;
  mergeCommit?: string;
  configCommit?: string;
  outcome?: ReleaseOutcome;
  /** Why nothing (more) was delivered, in plain words; empty on success. */
  problems: string[];
  diagnostics: readonly Diagnostic[];
  /** A destination or the forge failed temporarily: a re-run resumes. */
  transient: boolean;
  runUrl?: string;
}

export function reportFromSource(source: PullRequestSource, runUrl?: string): ReleaseReport {
  return {
    ...(source.manifestPath ? { requestId: idOf(source.manifestPath) } : {}),
    pullRequest: source.pull.number,
    ...(source.pull.mergedBy ? { merger: source.pull.mergedBy } : {}),
    ...(source.pull.mergeCommitSha ? { mergeCommit: source.pull.mergeCommitSha } : {}),
    ...(source.configCommit ? { configCommit: source.configCommit } : {}),
    problems: [...source.refusals],
    diagnostics: [...source.repository.diagnostics, ...source.policyDiagnostics],
    transient: false,
    ...(runUrl ? { runUrl } : {}),
  };
}

export function isDelivered(report: ReleaseReport): boolean {
  return report.problems.length === 0 && report.outcome?.passed === true;
}

/** One line for the log and the failed step: no user text beyond the request id. */
export function describeRelease(report: ReleaseReport): string {
  const id = report.requestId ? `${report.requestId}: ` : '';
  if (isDelivered(report)) {
    const collections = report.outcome!.collections;
    const fresh = collections.filter((c) => !c.alreadyDelivered).length;
    return fresh === 0
      ? `${id}already delivered by an earlier run (${collections.length} collection${collections.length === 1 ? '' : 's'}); nothing was uploaded.`
      : `${id}delivered ${fresh} collection${fresh === 1 ? '' : 's'}${collections.length > fresh ? ` (${collections.length - fresh} already delivered earlier)` : ''}.`;
  }
  if (report.transient)
    return `${id}a destination or the forge failed temporarily; nothing new was delivered: retry the job.`;
  return `${id}not delivered: ${report.problems[0] ?? 'see the comment'}`;
}

/**
 * `keep` wraps each sealed access-link block, so a caller that redacts the text can put the
 * blocks back afterwards (`redactKeeping` in shared/redact.ts): they are encrypted to the
 * recipients and safe to post, but look like the key material redaction hides.
 */
export function renderReleaseComment(
  report: ReleaseReport,
  keep: (sealed: string) => string = (s) => s,
): string {
  return `${releaseCommentMarker}\n${renderReleaseBody(report, keep)}`;
}

export function renderReleaseBody(
  report: ReleaseReport,
  keep: (sealed: string) => string = (s) => s,
): string {
  const out: string[] = [];
  const id = report.requestId ? ` — request \`${escapeText(report.requestId, 100).replace(/`/g, '')}\`` : '';
  out.push(`### egress-gate release${id}`, '');
  const manifest = report.outcome?.manifest;
  if (manifest) {
    out.push(`*${escapeText(manifest.title, 200)}* — requested by ${escapeLogin(manifest.requester)}`, '');
  }
  const delivered = isDelivered(report);
  out.push(
    `**${delivered ? '📦 Delivered' : '⛔ Not delivered'}** ${escapeText(delivered || report.transient ? describeRelease(report) : 'Nothing was delivered; the reasons are below.', 1000)}`,
    '',
  );
  const facts: string[] = [];
  if (report.merger) facts.push(`merged by ${escapeLogin(report.merger)}`);
  if (report.mergeCommit) facts.push(`as \`${report.mergeCommit.slice(0, 7)}\``);
  if (report.configCommit) facts.push(`trusted configuration read at \`${report.configCommit.slice(0, 7)}\``);
  if (facts.length > 0) out.push(`${facts.join(', ')}.`, '');

  if (!delivered) {
    if (report.problems.length > 0) {
      out.push('#### Why', '', ...report.problems.map((p) => `- ${escapeText(p, 1500)}`), '');
    }
    out.push(
      report.transient
        ? 'A destination or the forge failed temporarily. **Retry the job**: collections already delivered are found by their receipts and skipped, and a partial upload is resumed. Nothing is visible under a final name unless it is complete and verified.'
        : "Nothing was delivered for the collections not listed below: nothing is visible under any final name at their destinations. Fix the cause (a new request, the configuration on the protected branch, or the merger's role) and re-run the release.",
      '',
    );
  }
  const diagnostics = sortDiagnostics([...report.diagnostics, ...(report.outcome?.diagnostics ?? [])]).filter(
    (d, i, all) => all.findIndex((e) => formatDiagnostic(e) === formatDiagnostic(d)) === i,
  );
  if (diagnostics.length > 0) {
    out.push(
      '#### Problems',
      '',
      ...diagnostics
        .slice(0, 50)
        .map((d) => `- \`${escapeText(formatDiagnostic(d), 400).replace(/`/g, "'")}\``),
      '',
    );
  }
  const collections = report.outcome?.collections ?? [];
  if (collections.length > 0) {
    out.push(...renderCollections(collections), '');
    const sealed = collections.filter((c) => c.sealedAccess);
    if (sealed.length > 0) {
      out.push('#### Access links (encrypted to the recipients)', '');
      out.push(
        "Each message holds read-only, expiring links, one per file, readable only by the recipients. Save it to a file, then `gpg --decrypt links.asc` (check the *Good signature* is the egress signing key's) and `azcopy copy '<link>' .` for each link, or paste a link into Azure Storage Explorer.",
        '',
      );
      for (const c of sealed) {
        out.push(
          `**${escapeText(c.collection, 100)}**`,
          '',
          '```text',
          keep(c.sealedAccess!.trim()),
          '```',
          '',
        );
      }
    }
    out.push(
      'Each package has its signed receipt beside it (`<package>.receipt.asc`): `gpg --verify` it, check the package SHA-256 it names, then `gpg --decrypt` the package and, inside, `gpg --verify SHA256SUMS.asc SHA256SUMS` and `sha256sum -c SHA256SUMS`.',
      '',
    );
  }
  if (report.runUrl) out.push(`[Run log](${report.runUrl})`, '');
  return out.join('\n');
}

function renderCollections(collections: readonly CollectionRelease[]): string[] {
  const rows = collections.map((c) => {
    const pkg = c.receipt.package;
    const cells = [
      escapeText(c.collection, 100),
      String(c.receipt.tier),
      escapeText(c.destination, 100),
      `\`${escapeText(c.alreadyDelivered || !pkg ? (c.receipt.destination?.location ?? c.location) : `${c.location}/${pkg.file}`, 300).replace(/`/g, '')}\``,
      pkg ? `\`${pkg.sha256}\`<br>${pkg.size} bytes` : '—',
      c.recipients.map((r) => `\`${r}\``).join('<br>') || '—',
      c.alreadyDelivered ? 'already delivered' : 'delivered now',
    ];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| collection | tier | destination | location | package SHA-256 and size | encrypted to | |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

function idOf(path: string): string {
  return path.replace(/^requests\//, '').replace(/\.ya?ml$/, '');
}
