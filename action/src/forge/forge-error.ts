import { EgressError } from '../shared/errors.js';

/**
 * Turns an HTTP status (or a network failure, status 0) into the one error users see. The message
 * names the operation and the status, never the request headers (they carry the token).
 */
export function createForgeError(what: string, status: number, detail: string, cause?: unknown): EgressError {
  const transient = status === 0 || status === 429 || status >= 500;
  const hint =
    status === 401
      ? ' Check the `token` input.'
      : status === 403
        ? ' The token lacks a permission (statuses: write, pull-requests: write, issues: write, contents: read).'
        : status === 404
          ? ' Check the repository and that the token can read it.'
          : transient
            ? ' This is usually temporary: re-run the job.'
            : '';
  const where = status === 0 ? 'network error' : `HTTP ${status}`;
  return new EgressError('FORGE', `${what} failed (${where}): ${detail}.${hint}`, { cause, transient });
}
