import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { type ReviewOutcome, reviewPullRequest } from '../app/review.js';
import { chooseForge, type ForgeSettings } from '../forge/choose-forge.js';
import type { Forge } from '../forge/forge.js';
import { EgressError } from '../shared/errors.js';
import { readDefaultBranch, readTrigger } from './event.js';
import type { ActionInputs, RunnerContext } from './inputs.js';
import { publishOutcome } from './publish.js';
import { describe, statusContext } from './report.js';

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

  const mode =
    inputs.mode !== 'auto' ? inputs.mode : trigger.kind === 'pull' && trigger.merged ? 'release' : 'review';
  if (mode === 'release') {
    throw new EgressError(
      'USAGE',
      "mode 'release' (merge → package → deliver) is not available in this version of egress-gate yet; nothing was delivered.",
    );
  }
  if (trigger.kind === 'pull' && trigger.closed) {
    io.info(`Pull request #${trigger.number} is closed without merging: nothing to evaluate.`);
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

  const candidates =
    trigger.kind === 'pull' ? [trigger.number] : await forge.findPullRequestsForCommit(trigger.sha);
  if (candidates.length === 0 && trigger.kind === 'commit') {
    io.info(
      `No open pull request has ${trigger.sha.slice(0, 7)} as its head (it moved on, or closed): nothing to evaluate.`,
    );
    return;
  }
  // Statuses belong to the commit: a pull request against another branch (whose .egress/ someone
  // else may control) must not speak for the one against the protected branch.
  const protectedBase = inputs.baseBranch ?? readDefaultBranch(payload);

  const outputsDir = inputs.outputsRoot
    ? isAbsolute(inputs.outputsRoot)
      ? inputs.outputsRoot
      : resolve(context.workspace, inputs.outputsRoot)
    : undefined;
  const runUrl =
    context.serverUrl && context.runId
      ? `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`
      : undefined;
  try {
    let outcome: ReviewOutcome | undefined;
    for (const candidate of candidates) {
      const evaluated = await reviewPullRequest(forge, candidate, {
        configDir: inputs.configDir,
        ...(outputsDir ? { outputsDir } : {}),
      });
      if (protectedBase === undefined || evaluated.pull.baseRef === protectedBase) {
        outcome = evaluated;
        break;
      }
      io.info(
        `Pull request #${candidate} targets '${evaluated.pull.baseRef}', not the protected branch '${protectedBase}': not evaluated (set the base-branch input to change this).`,
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
    if (sha) await markUnevaluated(forge, sha, error, runUrl, io);
    throw error;
  }
}

async function markUnevaluated(
  forge: Forge,
  sha: string,
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
}

function setOutputs(outcome: ReviewOutcome, io: ActionIo): void {
  io.setOutput('request-id', outcome.requestId ?? '');
  io.setOutput('state', outcome.state);
  io.setOutput('tier', outcome.tier === undefined ? '' : String(outcome.tier));
}
