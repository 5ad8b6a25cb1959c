import type { ReviewOutcome } from '../app/review.js';
import type { CommitStatus, Forge } from '../forge/forge.js';
import { describeError } from '../shared/errors.js';
import {
  annotationsOf,
  commentMarker,
  labelsOf,
  planLabels,
  type ReportContext,
  renderComment,
  renderSummary,
  statusOf,
} from './report.js';
import type { ActionIo } from './run.js';

/**
 * Status, sticky comment, labels, summary and annotations; each write skipped when nothing changed.
 * The status is the decision and is written first; a failing comment, label or summary write is
 * reported as a warning and never turns a correct status into an error.
 */
export async function publishOutcome(
  forge: Forge,
  outcome: ReviewOutcome,
  context: ReportContext,
  io: ActionIo,
): Promise<CommitStatus> {
  const found = statusOf(outcome, context);
  const status = { ...found, description: io.redact(found.description) };
  const number = outcome.pull.number;
  await forge.setCommitStatus(outcome.pull.headSha, status);

  const attempt = async (what: string, write: () => Promise<void>) => {
    try {
      await write();
    } catch (error) {
      io.warning(
        `egress-gate: the ${status.state} status on ${outcome.pull.headSha.slice(0, 7)} is set, but ${what} failed: ${describeError(error)}`,
      );
    }
  };

  await attempt(`writing the comment on #${number}`, async () => {
    const body = io.redact(renderComment(outcome, context));
    const marked = (await forge.listComments(number)).filter((c) => c.body.startsWith(commentMarker));
    // The marker alone proves nothing (anyone can paste it); the author must be the bot as well.
    const me = marked.length > 0 ? (await forge.getAuthenticatedUser()).toLowerCase() : '';
    const mine = marked.find((c) => c.author.toLowerCase() === me);
    // A pull request without a request gets no comment, unless one exists from when it had a request.
    if (mine) {
      if (mine.body !== body) await forge.updateComment(mine.id, body);
    } else if (outcome.state !== 'no-request') {
      await forge.createComment(number, body);
    }
  });

  await attempt(`updating the labels of #${number}`, async () => {
    const plan = planLabels(outcome.pull.labels, labelsOf(outcome));
    await forge.addLabels(number, plan.add);
    for (const label of plan.remove) await forge.removeLabel(number, label);
  });

  if (forge.capabilities.annotations) for (const a of annotationsOf(outcome.diagnostics)) io.annotate(a);
  await attempt('writing the job summary', () => io.writeSummary(renderSummary(outcome, context)));
  return status;
}
