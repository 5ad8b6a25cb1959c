import type { Forge, PullRequest } from '../forge/forge.js';
import type { Manifest } from '../manifest/types.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { CollectionState, Policy, PolicyResult } from '../policy/types.js';
import { type Diagnostic, hasErrors } from '../shared/diagnostics.js';
import { requestFilePattern } from './classify-changes.js';
import { collectFacts, type ReviewFacts, requestIdOf } from './collect-facts.js';
import { verifyPinsAtForge } from './forge-pins.js';
import { createSplitRepoFiles } from './forge-repo-files.js';
import { loadPolicy } from './load-policy.js';
import { type CollectionFindings, disclosureFacts, scanRequestOutputs } from './scan-request.js';
import { finishPinCheck, validateRequest } from './validate-request.js';

/** What review mode concluded about one pull request; rendering lives in action/report.ts. */
export type ReviewState = CollectionState | 'invalid' | 'refused' | 'no-request';

export interface ReviewOutcome {
  pull: PullRequest;
  /** The protected branch's commit the trusted configuration was read at (its tip at evaluation). */
  trustedSha?: string;
  state: ReviewState;
  passed: boolean;
  requestId?: string;
  manifestPath?: string;
  /** Highest effective tier, when decided. */
  tier?: number;
  manifest?: Manifest;
  policy?: Policy;
  /** The policy's result tree; present whenever the request could be evaluated (even when refused). */
  result?: PolicyResult;
  /** Why the pull request is refused outright (trusted configuration, several requests, delivered). */
  refusals: string[];
  /** Problems in the manifest or in the trusted configuration, at file:line:column. */
  diagnostics: Diagnostic[];
  /** Things the reader should know that change nothing (e.g. where pins are checked). */
  notes: string[];
  /** Disclosure-risk findings, advisory; only when the outputs are on this runner. */
  findings?: CollectionFindings[];
}

export interface ReviewOptions {
  configDir: string;
  /** Absolute outputs root on the runner; when absent, pins are verified through the forge. */
  outputsDir?: string;
  /**
   * The protected branch's current tip, where trusted configuration is read (looked up once per
   * run by the caller); when absent, the tip of the pull request's base branch is looked up.
   */
  trustedTip?: string;
}

export async function reviewPullRequest(
  forge: Forge,
  number: number,
  options: ReviewOptions,
): Promise<ReviewOutcome> {
  const facts = await collectFacts(forge, number, {
    configDir: options.configDir,
    ...(options.trustedTip ? { trustedTip: options.trustedTip } : {}),
  });
  return evaluateFacts(forge, facts, options);
}

export async function evaluateFacts(
  forge: Forge,
  facts: ReviewFacts,
  options: ReviewOptions,
): Promise<ReviewOutcome> {
  const { pull, changes } = facts;
  const refusals = refusalsOf(facts);
  const notes: string[] = [];
  const outcome = (fields: Partial<ReviewOutcome> & { state: ReviewState }): ReviewOutcome => ({
    pull,
    trustedSha: facts.trustedSha,
    passed: false,
    refusals,
    diagnostics: [],
    notes,
    ...fields,
  });

  const configDiagnostics = facts.repository.diagnostics;
  const present = changes.requests.filter((p) =>
    facts.changedFiles.some((f) => f.path === p && f.status !== 'removed'),
  );
  if (facts.incompleteFileList) {
    // Without the whole list neither "no request" nor "no trusted configuration" can be claimed.
    return outcome({ state: 'refused', diagnostics: configDiagnostics });
  }
  if (changes.requests.length === 0) {
    return outcome({ state: 'no-request', passed: true, diagnostics: configDiagnostics });
  }
  const manifestPath = present.length === 1 ? present[0] : undefined;
  const requestId = manifestPath ? requestIdOf(manifestPath) : undefined;
  if (!manifestPath || !facts.repository.configValid) {
    return outcome({
      state: refusals.length > 0 ? 'refused' : 'invalid',
      diagnostics: configDiagnostics,
      ...(requestId ? { requestId, manifestPath } : {}),
    });
  }

  const files = createSplitRepoFiles(facts.base, facts.head, (p) => requestFilePattern.test(p));
  const loaded = await loadPolicy(facts.repository.config.policy, facts.base);
  // With the outputs on this runner the disclosure checks read every file and compute its SHA-256:
  // the pins are verified from that one pass (deferHashes), as `evaluate` does, not read twice.
  const scanHere = Boolean(options.outputsDir && loaded.policy);
  const validated = await validateRequest({
    files,
    manifestPath,
    repo: facts.repository,
    ...(options.outputsDir ? { outputsDir: options.outputsDir, deferHashes: scanHere } : {}),
  });
  // Pins are always verified: against the outputs on the runner when given, otherwise streamed
  // from the forge at the head commit. An unpinned item or an unverified pin never passes.
  const pinDiagnostics =
    !options.outputsDir && validated.pinnedEntries && validated.document
      ? await verifyPinsAtForge(forge, pull.headSha, validated.pinnedEntries, validated.document, {
          outputsRoot: facts.repository.config.outputsRoot,
        })
      : [];
  if (validated.manifest) {
    notes.push(
      options.outputsDir
        ? 'Pins (SHA-256 and size) are checked against the outputs on this runner (outputs-root).'
        : `Pins (SHA-256 and size) are checked against the files at the head commit ${pull.headSha.slice(0, 7)}, read through the forge.`,
    );
  }
  const manifest = validated.manifest;
  const workPackage = manifest ? facts.repository.workPackages.get(manifest.workPackage) : undefined;
  // Advice for the reviewers, read from the outputs on this runner; blocking only where the policy says so.
  const digests = new Map<string, string>();
  const findings =
    manifest && scanHere
      ? await scanRequestOutputs(manifest, options.outputsDir!, loaded.policy!, {
          ...(validated.document ? { document: validated.document } : {}),
          ...(validated.outputs ? { outputs: validated.outputs } : {}),
          onScanned: (absolutePath, sha256) => digests.set(absolutePath, sha256),
        })
      : undefined;
  // Pins the scan did not read (a generation script, a path it spells differently) are hashed here.
  await finishPinCheck(validated, digests);
  const diagnostics = [
    ...configDiagnostics,
    ...loaded.diagnostics,
    ...validated.diagnostics,
    ...pinDiagnostics,
  ];
  let result: PolicyResult | undefined;
  if (manifest && workPackage && loaded.policy) {
    result = evaluatePolicy({
      policy: loaded.policy,
      config: facts.repository.config,
      workPackage,
      manifest,
      author: pull.author,
      head: pull.headSha,
      reviews: [...facts.reviews],
      ...(findings ? { findings: disclosureFacts(findings) } : {}),
    });
  }
  const invalid = hasErrors(diagnostics) || !result;
  const state: ReviewState = refusals.length > 0 ? 'refused' : invalid ? 'invalid' : result!.state;
  return outcome({
    state,
    passed: state === 'cleared' && result?.passed === true,
    requestId: manifest?.id ?? requestId,
    manifestPath,
    ...(result?.tier !== undefined ? { tier: result.tier } : {}),
    ...(manifest ? { manifest } : {}),
    ...(loaded.policy ? { policy: loaded.policy } : {}),
    ...(result ? { result } : {}),
    ...(findings ? { findings } : {}),
    diagnostics,
  });
}

function refusalsOf(facts: ReviewFacts): string[] {
  const { requests, trusted } = facts.changes;
  const out: string[] = [];
  if (facts.incompleteFileList) {
    const { listed, total } = facts.incompleteFileList;
    out.push(
      `The forge listed only ${listed} of the ${total} files this pull request changes (GitHub lists at most 3,000), ` +
        'so egress-gate cannot tell whether it changes trusted configuration or more than one request. ' +
        'Split it: a request needs only its manifest (and, if they live in the repository, its outputs).',
    );
  }
  if (requests.length > 0 && trusted.length > 0) {
    out.push(
      `This pull request changes trusted configuration (${trusted.join(', ')}) together with a request. ` +
        'Configuration is read from the base branch and must be changed in its own pull request, reviewed by its code owners; ' +
        'remove these changes from this pull request.',
    );
  }
  if (requests.length > 1) {
    out.push(
      `This pull request touches more than one request (${requests.join(', ')}). ` +
        'Each request is classified and delivered on its own: open one pull request per request.',
    );
  }
  for (const { path, id, existing } of facts.existingOnBase) {
    const spelling =
      existing === path
        ? `${path} already exists`
        : `${path} re-uses the id '${id}' of ${existing}, which exists`;
    out.push(
      `${spelling} on the protected branch: that request was merged, so it has been delivered (or its delivery attempted). ` +
        'A delivered request id cannot be changed or delivered again, under either spelling (.yaml or .yml); open a new request with a new id.',
    );
  }
  return out;
}
