import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PullRequestSource, readPullRequestSource } from '../app/pull-request-source.js';
import { releaseRequest } from '../app/release.js';
import { maskSasSignatures } from '../app/seal-access-links.js';
import { outputsDirOf } from '../app/validate-request.js';
import { readSecretKey } from '../crypto/keys.js';
import { createDelivery as defaultCreateDelivery } from '../deliver/choose-delivery.js';
import type { CreateDelivery } from '../deliver/delivery.js';
import type { Forge } from '../forge/forge.js';
import { hasErrors } from '../shared/diagnostics.js';
import { describeError, EgressError } from '../shared/errors.js';
import { redactKeeping } from '../shared/redact.js';
import {
  deliveredLabel,
  describeRelease,
  isDelivered,
  type ReleaseReport,
  renderReleaseBody,
  renderReleaseComment,
  reportFromSource,
} from './release-report.js';
import type { ActionIo, ReleaseRun } from './run.js';

/** Tests inject adapters and a clock; the action uses the destinations' own adapters. */
export interface ReleaseRunOptions {
  createDelivery?: CreateDelivery;
  now?: () => Date;
}

/**
 * Release mode: find the pull request merged as the pushed commit, read everything again from
 * the forge (trusted configuration just before the merge, the manifest at the final head, the
 * reviews on that head, the merger), then pack and deliver through the shared release. Any
 * failure is reported on the pull request in plain words and fails the step.
 */
export async function runRelease(run: ReleaseRun, options: ReleaseRunOptions = {}): Promise<void> {
  const { forge, trigger, inputs, io } = run;
  let number: number | undefined;
  let source: PullRequestSource;
  try {
    number = trigger.kind === 'pull' ? trigger.number : await forge.findMergedPullRequest(trigger.after);
    if (number === undefined) {
      const sha = trigger.kind === 'push' ? trigger.after.slice(0, 7) : '';
      io.info(`Commit ${sha} is not the merge of a pull request (a direct push?): nothing to deliver.`);
      io.setOutput('state', 'no-request');
      return;
    }
    source = await readPullRequestSource(forge, number, {
      configDir: inputs.configDir,
      protectedBranch: run.protectedBranch,
      ...(trigger.kind === 'push'
        ? { pushed: { sha: trigger.after, ...(trigger.created ? {} : { before: trigger.before }) } }
        : {}),
      require: 'merged',
    });
  } catch (error) {
    io.setOutput('state', 'not-delivered');
    if (error instanceof EgressError && error.transient) {
      throw new EgressError(
        'FORGE',
        `${describeError(error)} — a temporary failure before anything was delivered: retry the job.`,
        { cause: error, transient: true },
      );
    }
    throw error;
  }
  if (!source.manifestPath && source.refusals.length === 0) {
    io.info(`Pull request #${number} carries no egress request: nothing to deliver.`);
    io.setOutput('state', 'no-request');
    return;
  }
  const report = reportFromSource(source, run.runUrl);
  try {
    if (report.problems.length === 0) await deliver(source, report, run, options);
  } catch (error) {
    const transient = error instanceof EgressError && error.transient;
    report.transient = transient;
    report.problems.push(
      transient ? `${describeError(error)} (temporary failure: retry the job)` : describeError(error),
    );
  }
  await publishRelease(forge, number, report, io);
  if (!isDelivered(report)) {
    const message = `egress-gate: ${describeRelease(report)}`;
    if (report.transient) {
      throw new EgressError('DELIVERY', `${describeRelease(report)}`, { transient: true });
    }
    io.setFailed(message);
  }
}

async function deliver(
  source: PullRequestSource,
  report: ReleaseReport,
  run: ReleaseRun,
  options: ReleaseRunOptions,
): Promise<void> {
  const { inputs, context, io } = run;
  const { repository, policy, manifestPath } = source;
  if (!repository.configValid || hasErrors(repository.diagnostics) || !policy || !manifestPath) {
    report.problems.push(
      `The trusted configuration at ${source.configCommit.slice(0, 7)} is invalid (see the problems below); nothing was delivered. Fix it on the protected branch, then re-run the release.`,
    );
    return;
  }
  if (!inputs.signingKey) {
    throw new EgressError(
      'USAGE',
      "input 'signing-key' is empty: release mode signs packages and receipts with the egress signing key. Pass it from a secret of the release environment.",
    );
  }
  const signingKey = await readSecretKey(
    inputs.signingKey,
    "input 'signing-key'",
    inputs.signingKeyPassphrase,
  );
  const outputsDir = run.outputsDir ?? outputsDirOf(context.workspace, repository);
  const requestId = report.requestId ?? 'request';
  const workDir = join(context.env['RUNNER_TEMP'] || tmpdir(), 'egress-gate', requestId);
  const now = options.now ?? (() => new Date());
  let lastLog = 0;
  const outcome = await releaseRequest({
    files: source.files,
    repo: repository,
    policy,
    manifestPath,
    outputsDir,
    reviews: source.reviews,
    evidence: source.evidence,
    signingKey,
    createDelivery: options.createDelivery ?? defaultCreateDelivery,
    deliveryContext: {
      repoRoot: context.workspace,
      secrets: inputs.destinationSecrets,
      ...(source.pull.mergedBy ? { actor: source.pull.mergedBy } : {}),
      now,
      log: (m) => io.info(maskSasSignatures(m)),
    },
    workDir,
    onSecret: (secret) => io.setSecret(secret),
    createdAt: now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z'),
    ...(run.runUrl ? { runUrl: run.runUrl } : {}),
    onProgress(event) {
      if (event.phase === 'checking') return io.info(`checking ${event.collection} at its destination…`);
      if (Date.now() - lastLog < 5000 && event.doneBytes < event.totalBytes) return;
      lastLog = Date.now();
      io.info(
        `${event.phase} ${event.collection}: ${(event.doneBytes / 1048576).toFixed(0)}/${(event.totalBytes / 1048576).toFixed(0)} MiB`,
      );
    },
  });
  report.outcome = outcome;
  if (outcome.manifest) {
    report.title = outcome.manifest.title;
    report.requester = outcome.manifest.requester;
  }
  if (!outcome.passed) report.problems.push(...outcome.reasons);
}

async function publishRelease(
  forge: Forge,
  number: number,
  report: ReleaseReport,
  io: ActionIo,
): Promise<void> {
  const delivered = isDelivered(report);
  const outcome = report.outcome;
  // Everything is redacted except the sealed access links we made (encrypted to the recipients).
  await forge.createComment(
    number,
    redactKeeping(io.redact, (keep) => renderReleaseComment(report, keep)),
  );
  if (delivered) await forge.addLabels(number, [deliveredLabel]);
  await io.writeSummary(renderReleaseBody(report));
  io.setOutput('request-id', report.requestId ?? '');
  io.setOutput('state', delivered ? 'delivered' : 'not-delivered');
  io.setOutput('tier', outcome?.tier === undefined ? '' : String(outcome.tier));
  io.setOutput('receipt', delivered ? (outcome?.collections ?? []).map((c) => c.receiptPath).join('\n') : '');
  for (const c of outcome?.collections ?? []) {
    io.info(
      `${c.collection}: ${c.alreadyDelivered ? 'already delivered' : 'delivered'} to ${c.destination} (${c.receipt.destination?.location ?? c.location}), sha256 ${c.receipt.package?.sha256 ?? '?'}`,
    );
  }
  io.info(`egress-gate release: ${describeRelease(report)}`);
}
