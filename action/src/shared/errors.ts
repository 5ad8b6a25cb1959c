/**
 * The one error base for unexpected failures. Expected outcomes (invalid manifests, blocked
 * requests) are values, not errors. Adapters translate SDK/HTTP/SSH errors into this at the boundary.
 */
export type ErrorCode =
  | 'USAGE' // wrong command line or action inputs
  | 'CONFIG' // trusted configuration missing or invalid
  | 'INPUT' // a file the user named cannot be read or is unsafe
  | 'INTEGRITY' // a pin, hash, signature or decryption check failed
  | 'FORGE' // the forge API failed
  | 'DELIVERY' // a destination failed
  | 'INTERNAL';

export class EgressError extends Error {
  readonly code: ErrorCode;
  /** True when retrying the same operation later may succeed (network, rate limit, 5xx). */
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; transient?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EgressError';
    this.code = code;
    this.transient = options.transient ?? false;
  }
}

export function isEgressError(error: unknown): error is EgressError {
  return error instanceof EgressError;
}

/** Message of any thrown value, for the two entries that report errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
