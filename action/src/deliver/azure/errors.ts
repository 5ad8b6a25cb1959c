/**
 * Azure SDK errors → `EgressError`, at the boundary. Messages name the operation, the HTTP status
 * and Azure's error code, never the SDK's message (it can quote the string-to-sign) or a secret.
 */
import { RestError } from '@azure/storage-blob';
import { EgressError } from '../../shared/errors.js';

export function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

export function azureCodeOf(error: unknown): string | undefined {
  if (!(error instanceof RestError)) return undefined;
  const fromHeader = error.response?.headers.get('x-ms-error-code');
  return fromHeader ?? error.code;
}

/** The cause kept on our error: network messages are useful, a service reply's text is not kept. */
function safeCause(error: unknown, detail: string): Error {
  if (error instanceof RestError && error.statusCode !== undefined) return new Error(`Azure ${detail}`);
  return new Error(error instanceof Error ? error.message : String(error));
}

export function translateAzureError(error: unknown, what: string, secretHint: string): EgressError {
  if (error instanceof EgressError) return error;
  const status = statusOf(error);
  const code = azureCodeOf(error) ?? (error instanceof Error ? (error as { code?: string }).code : undefined);
  const detail = [status, code].filter((part) => part !== undefined).join(' ');
  if (status === 401 || status === 403) {
    return new EgressError(
      'DELIVERY',
      `Azure Blob storage refused ${what} (${detail}): check ${secretHint} — it must be the current key of the account, with write access, and the runner's clock must be right; nothing was delivered`,
      { cause: safeCause(error, detail) },
    );
  }
  if (!(error instanceof RestError)) {
    // Not from the service or the network: the local package could not be read, or a bug.
    const path = (error as { path?: unknown } | undefined)?.path;
    if (typeof path === 'string') {
      return new EgressError(
        'INPUT',
        `could not read ${path} while ${what} (${detail || 'error'}); nothing was committed`,
        {
          cause: safeCause(error, detail),
        },
      );
    }
    return new EgressError('INTERNAL', `unexpected failure while ${what}`, {
      cause: safeCause(error, detail),
    });
  }
  const transient = status === undefined || status === 0 || status === 408 || status === 429 || status >= 500;
  if (transient) {
    return new EgressError(
      'DELIVERY',
      `Azure Blob storage did not answer ${what} after retries (${detail || 'network error'}); nothing incomplete is visible, and a re-run resumes from the blocks already sent: retry the job`,
      { cause: safeCause(error, detail), transient: true },
    );
  }
  return new EgressError('DELIVERY', `Azure Blob storage refused ${what} (${detail})`, {
    cause: safeCause(error, detail),
  });
}
