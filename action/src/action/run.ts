import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { type ReviewOutcome, reviewPullRequest } from '../app/review.js';
import { chooseForge, type ForgeSettings } from '../forge/choose-forge.js';
import type { Forge } from '../forge/forge.js';
import { describeError, EgressError } from '../shared/errors.js';
import {
  type CommitTrigger,
  isMergedPull,
  type PullTrigger,
  type PushTrigger,
  readDefaultBranch,
  readTrigger,
} from './event.js';
import type { ActionInputs, RunnerContext } from './inputs.js';
import { publishOutcome } from './publish.js';
import { describe, statusContext } from './report.js';
import { runRelease } from './run-release.js';

/** The runner-facing side effects, so tests and the two forges share one code path. */
export interface ActionIo {
  setSecret(secret: string): void;
  setOutput(name: string, value: string): void;
  info(message: string): void;
  warning(message: string): void;
  annotate(a: {
    severity: 'error' | 'warning';
    message: string;
    file: string;
    startLine?: number;
    startColumn?: number;
  }): void;
  writeSummary(markdown: string): Promise<void>;
  setFailed(message: string): void;
  /** Masks every registered secret; applied to whatever is written to the forge too. */
  redact(text: string): string;
}

export interface RunOptions {
  /** Tests pass a factory to count or wrap calls; the action uses the forge the environment names. */
  createForge?: (settings: ForgeSettings) => Forge;
}

/** What release mode gets from the dispatcher (the `release` flow fills in `runRelease`). */
export interface ReleaseRun {
  trigger: PushTrigger | (PullTrigger & { merged: true });
  forge: Forge;
  inputs: ActionInputs;
  context: RunnerContext;
  io: ActionIo;
  /** The protected branch requests target (input `base-branch`, else the default branch). */
  protectedBranch: string;
  /** Absolute outputs root on the runner (input `outputs-root`), when given. */
  outputsDir?: string;
  runUrl?: string;
}

interface Dispatch {
  forge: Forge;
  inputs: ActionInputs;
  io: ActionIo;
  protectedBranch: string | undefined;
  outputsDir: string | undefined;
  runUrl: string | undefined;
}

export async function run(
  inputs: ActionInputs,
  context: RunnerContext,
  io: ActionIo,
  options: RunOptions = {},
): Promise<void> {
  io.setSecret(inputs.token);
  for (const s of inputs.secrets) io.setSecret(s);

  const payload: unknown = JSON.parse(await readFile(context.eventPath, 'utf8'));
  const trigger = readTrigger(context.eventName, payload);
  if (trigger.kind === 'unsupported') throw new EgressError('USAGE', `${trigger.reason}.`);

  const releaseTrigger = trigger.kind === 'push' || isMergedPull(trigger);
  const mode = inputs.mode !== 'auto' ? inputs.mode : releaseTrigger ? 'release' : 'review';
  if (mode === 'release' && !releaseTrigger) {
    throw new EgressError(
      'USAGE',
      `mode 'release' runs on a push to the protected branch (recommended) or on a merged pull request's 'closed' event, not on '${context.eventName}'; nothing was delivered.`,
    );
  }
  if (trigger.kind === 'pull' && trigger.closed && mode === 'review') {
    io.info(
      `Pull request #${trigger.number} is closed${trigger.merged ? ' (merged)' : ' without merging'}: nothing to evaluate.`,
    );
    return;
  }

  const [owner, repo] = context.repository.split('/');
  if (!owner || !repo)
    throw new EgressError('USAGE', `GITHUB_REPOSITORY is '${context.repository}'; expected 'owner/repo'.`);
  const settings: ForgeSettings = {
    choice: inputs.forge,
    apiUrl: context.apiUrl,
    token: inputs.token,
    repo: { owner, repo },
    env: context.env,
    log: (m) => io.warning(m),
  };
  const forge = (options.createForge ?? chooseForge)(settings);
  // Statuses belong to the commit: a pull request against another branch (whose .egress/ someone
  // else may control) must not speak for the one against the protected branch.
  const protectedBranch = inputs.baseBranch ?? readDefaultBranch(payload);
  const outputsDir = inputs.outputsRoot
    ? isAbsolute(inputs.outputsRoot)
      ? inputs.outputsRoot
      : resolve(context.workspace, inputs.outputsRoot)
    : undefined;
  const runUrl =
    context.serverUrl && context.runId
      ? `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`
      : undefined;
  const dispatch: Dispatch = { forge, inputs, io, protectedBranch, outputsDir, runUrl };

  if (trigger.kind === 'push') {
    await onPush(trigger, mode, dispatch, context);
    return;
  }
  if (mode === 'release' && isMergedPull(trigger)) {
    await runRelease({ ...releaseBase(dispatch, context), trigger });
    return;
  }
  await reviewEvent(trigger, dispatch);
}

function releaseBase(d: Dispatch, context: RunnerContext): Omit<ReleaseRun, 'trigger'> {
  if (!d.protectedBranch) {
    throw new EgressError(
      'USAGE',
      "the event names no default branch: set the 'base-branch' input to the protected branch.",
    );
  }
  return {
    forge: d.forge,
    inputs: d.inputs,
    context,
    io: d.io,
    protectedBranch: d.protectedBranch,
    ...(d.outputsDir ? { outputsDir: d.outputsDir } : {}),
    ...(d.runUrl ? { runUrl: d.runUrl } : {}),
  };
}

/**
 * A push to the protected branch: release what was merged by it (mode auto/release), then
 * re-evaluate every open request against the branch's new tip, whatever the release did.
 */
async function onPush(
  trigger: PushTrigger,
  mode: string,
  d: Dispatch,
  context: RunnerContext,
): Promise<void> {
  if (trigger.branch === undefined || trigger.branch !== d.protectedBranch) {
    d.io.info(
      `Push to ${trigger.ref}, not to the protected branch '${d.protectedBranch ?? '(unknown)'}': nothing to do.`,
    );
    return;
  }
  if (trigger.deleted) {
    d.io.info(`The push deleted ${trigger.ref}: nothing to do.`);
    return;
  }
  let releaseError: unknown;
  if (mode !== 'review') {
    try {
      await runRelease({ ...releaseBase(d, context), trigger });
    } catch (error) {
      releaseError = error;
    }
  }
  try {
    await reevaluateOpenRequests(d.forge, d.protectedBranch, d);
  } catch (error) {
    if (releaseError === undefined) throw error;
    d.io.warning(`Re-evaluating the open requests failed too: ${describeError(error)}`);
  }
  if (releaseError !== undefined) throw releaseError;
}

/**
 * Every open pull request against the protected branch, evaluated again with the trusted
 * configuration at the branch's current tip (read once): a role holder removed there, or a
 * request id merged there, changes their status now rather than at their next event.
 */
export async function reevaluateOpenRequests(
  forge: Forge,
  protectedBranch: string,
  d: Pick<Dispatch, 'inputs' | 'io' | 'runUrl'>,
): Promise<void> {
  const tip = await forge.getBranchTip(protectedBranch);
  const open = await forge.listOpenPullRequests(protectedBranch);
  d.io.info(
    `Re-evaluating ${open.length} open pull request(s) against ${protectedBranch} at ${tip.slice(0, 7)}.`,
  );
  const failures: string[] = [];
  for (const number of open) {
    let headSha: string | undefined;
    try {
      const outcome = await reviewPullRequest(forge, number, {
        configDir: d.inputs.configDir,
        trustedTip: tip,
      });
      headSha = outcome.pull.headSha;
      if (outcome.state === 'no-request') continue;
      const status = await publishOutcome(
        forge,
        outcome,
        { forge: forge.kind, ...(d.runUrl ? { runUrl: d.runUrl } : {}) },
        d.io,
      );
      d.io.info(`egress-gate: #${number} ${status.state}: ${describe(outcome)}`);
    } catch (error) {
      failures.push(`#${number}: ${describeError(error)}`);
      if (headSha) await markUnevaluated(forge, headSha, [number], error, d.runUrl, d.io);
    }
  }
  if (failures.length > 0) {
    throw new EgressError('FORGE', `could not re-evaluate ${failures.join('; ')}`, {
      transient: true,
    });
  }
}

async function reviewEvent(trigger: PullTrigger | CommitTrigger, d: Dispatch): Promise<void> {
  const { forge, inputs, io, protectedBranch, outputsDir, runUrl } = d;
  const candidates =
    trigger.kind === 'pull' ? [trigger.number] : await forge.findPullRequestsForCommit(trigger.sha);
  if (candidates.length === 0 && trigger.kind === 'commit') {
    io.info(
      `No open pull request has ${trigger.sha.slice(0, 7)} as its head (it moved on, or closed): nothing to evaluate.`,
    );
    return;
  }
  try {
    // Trusted configuration comes from the protected branch's current tip: one lookup per run.
    const trustedTip = protectedBranch ? await forge.getBranchTip(protectedBranch) : undefined;
    let outcome: ReviewOutcome | undefined;
    for (const candidate of candidates) {
      const evaluated = await reviewPullRequest(forge, candidate, {
        configDir: inputs.configDir,
        ...(outputsDir ? { outputsDir } : {}),
        ...(trustedTip ? { trustedTip } : {}),
      });
      if (protectedBranch === undefined || evaluated.pull.baseRef === protectedBranch) {
        outcome = evaluated;
        break;
      }
      io.info(
        `Pull request #${candidate} targets '${evaluated.pull.baseRef}', not the protected branch '${protectedBranch}': not evaluated (set the base-branch input to change this).`,
      );
    }
    if (!outcome) return;
    const number = outcome.pull.number;
    const status = await publishOutcome(
      forge,
      outcome,
      { forge: forge.kind, ...(runUrl ? { runUrl } : {}) },
      io,
    );
    setOutputs(outcome, io);
    io.info(`egress-gate: #${number} ${status.state}: ${describe(outcome)}`);
    if (status.state === 'failure') io.setFailed(`egress-gate: ${describe(outcome)}`);
  } catch (error) {
    // An earlier `success` on this commit must not outlive a failed re-evaluation.
    const sha = trigger.kind === 'pull' ? trigger.headSha : trigger.sha;
    if (sha) await markUnevaluated(forge, sha, candidates, error, runUrl, io);
    throw error;
  }
}

/**
 * An earlier `success` on this commit must not outlive a failed evaluation: the status becomes
 * `error`, and the `egress:cleared` label, which said the same thing, is taken off as well.
 */
async function markUnevaluated(
  forge: Forge,
  sha: string,
  pulls: readonly number[],
  error: unknown,
  runUrl: string | undefined,
  io: ActionIo,
) {
  const transient = error instanceof EgressError && error.transient;
  const description = io.redact(
    `egress-gate could not evaluate this commit${transient ? ' (temporary forge failure): re-run the job' : ': see the job log'}.`,
  );
  try {
    await forge.setCommitStatus(sha, {
      state: 'error',
      context: statusContext,
      description,
      ...(runUrl ? { targetUrl: runUrl } : {}),
    });
  } catch {
    // The forge is failing already; the step's own failure reports the cause.
  }
  for (const number of pulls) {
    try {
      await forge.removeLabel(number, 'egress:cleared');
    } catch {
      // As above: the failed step says why.
    }
  }
}

function setOutputs(outcome: ReviewOutcome, io: ActionIo): void {
  io.setOutput('request-id', outcome.requestId ?? '');
  io.setOutput('state', outcome.state);
  io.setOutput('tier', outcome.tier === undefined ? '' : String(outcome.tier));
}
