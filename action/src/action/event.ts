/** Which pull request an event is about, from the payload the runner wrote to GITHUB_EVENT_PATH. */
export type Trigger =
  | { kind: 'pull'; number: number; action: string; closed: boolean; merged: boolean; headSha?: string }
  | { kind: 'commit'; sha: string }
  | { kind: 'unsupported'; reason: string };

export const supportedEvents = ['pull_request', 'pull_request_target', 'pull_request_review', 'workflow_run'];

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
      return {
        kind: 'pull',
        number,
        action,
        closed: pr['state'] === 'closed',
        merged: pr['merged'] === true,
        ...(typeof head['sha'] === 'string' ? { headSha: head['sha'] } : {}),
      };
    }
    case 'workflow_run': {
      // The untrusted run only signals; which pull request it was is looked up from its head commit,
      // because `pull_requests` is empty for forks and nothing in the payload is taken on trust.
      const run = (p['workflow_run'] ?? {}) as Record<string, unknown>;
      const sha = run['head_sha'];
      if (typeof sha !== 'string' || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
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
