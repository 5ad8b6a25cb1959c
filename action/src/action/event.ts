/**
 * What an event is about, from the payload the runner wrote to GITHUB_EVENT_PATH. Nothing here is
 * trusted beyond "which pull request or commit to look at": every fact is read again from the forge.
 */
export type Trigger = PullTrigger | CommitTrigger | PushTrigger | { kind: 'unsupported'; reason: string };

export interface PullTrigger {
  kind: 'pull';
  number: number;
  action: string;
  closed: boolean;
  /** `pull_request` `closed` with `merged: true`: the release trigger of the pull request route. */
  merged: boolean;
  headSha?: string;
  /** The branch the pull request targets, as the payload says (checked against the forge). */
  baseRef?: string;
}

export interface CommitTrigger {
  kind: 'commit';
  sha: string;
}

/** A push to a branch (GitHub and Gitea send the same `ref`, `before`, `after`). */
export interface PushTrigger {
  kind: 'push';
  /** Full ref, e.g. `refs/heads/main`. */
  ref: string;
  /** The branch name when `ref` is a branch (`refs/heads/…`); undefined for tags. */
  branch?: string;
  /** Tip before the push; all zeros when the branch was created by it. */
  before: string;
  /** Tip after the push; all zeros when the branch was deleted by it. */
  after: string;
  created: boolean;
  deleted: boolean;
}

export const supportedEvents = [
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'workflow_run',
  'push',
];

const commitId = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const zeros = /^0+$/;

/** True for the `pull_request` `closed` event of a merged pull request. */
export function isMergedPull(trigger: Trigger): trigger is PullTrigger & { merged: true } {
  return trigger.kind === 'pull' && trigger.closed && trigger.merged;
}

export function readTrigger(eventName: string, payload: unknown): Trigger {
  const p = (payload ?? {}) as Record<string, unknown>;
  const action = typeof p['action'] === 'string' ? p['action'] : '';
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target':
    case 'pull_request_review': {
      const pr = (p['pull_request'] ?? {}) as Record<string, unknown>;
      const number = typeof pr['number'] === 'number' ? pr['number'] : p['number'];
      if (typeof number !== 'number')
        return { kind: 'unsupported', reason: `the ${eventName} payload has no pull request number` };
      const head = (pr['head'] ?? {}) as Record<string, unknown>;
      const base = (pr['base'] ?? {}) as Record<string, unknown>;
      return {
        kind: 'pull',
        number,
        action,
        closed: pr['state'] === 'closed',
        merged: pr['merged'] === true,
        ...(typeof head['sha'] === 'string' ? { headSha: head['sha'] } : {}),
        ...(typeof base['ref'] === 'string' && base['ref'] !== '' ? { baseRef: base['ref'] } : {}),
      };
    }
    case 'push': {
      const ref = p['ref'];
      const before = p['before'];
      const after = p['after'];
      if (typeof ref !== 'string' || ref === '') {
        return { kind: 'unsupported', reason: 'the push payload has no ref' };
      }
      for (const [name, value] of [
        ['before', before],
        ['after', after],
      ] as const) {
        if (typeof value !== 'string' || !(commitId.test(value) || zeros.test(value))) {
          return { kind: 'unsupported', reason: `the push payload's '${name}' is not a commit id` };
        }
      }
      const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
      return {
        kind: 'push',
        ref,
        ...(branch ? { branch } : {}),
        before: before as string,
        after: after as string,
        created: p['created'] === true || zeros.test(before as string),
        deleted: p['deleted'] === true || zeros.test(after as string),
      };
    }
    case 'workflow_run': {
      // The untrusted run only signals; which pull request it was is looked up from its head commit,
      // because `pull_requests` is empty for forks and nothing in the payload is taken on trust.
      const run = (p['workflow_run'] ?? {}) as Record<string, unknown>;
      const sha = run['head_sha'];
      if (typeof sha !== 'string' || !commitId.test(sha)) {
        return { kind: 'unsupported', reason: 'the workflow_run payload has no head_sha' };
      }
      return { kind: 'commit', sha };
    }
    default:
      return {
        kind: 'unsupported',
        reason: `event '${eventName}' is not one egress-gate handles (${supportedEvents.join(', ')})`,
      };
  }
}

/** The repository's default branch as the event reports it (GitHub and Gitea both send it). */
export function readDefaultBranch(payload: unknown): string | undefined {
  const repository = ((payload ?? {}) as Record<string, unknown>)['repository'] as
    | Record<string, unknown>
    | undefined;
  const branch = repository?.['default_branch'];
  return typeof branch === 'string' && branch !== '' ? branch : undefined;
}
