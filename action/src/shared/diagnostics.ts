import { maskKeyMaterial } from './redact.js';

/** A problem in a user's file, located precisely enough for an editor or a PR annotation. */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Path as the user named it (relative to the repository root where possible). */
  file: string;
  /** 1-based; 0 when the problem is about the file as a whole. */
  line: number;
  /** 1-based; 0 when the problem is about the file as a whole. */
  column: number;
  /** JSON pointer into the document ('' for the root). */
  pointer: string;
  /** Stable, kebab-case, documented in the README (e.g. `duplicate-key`, `unknown-destination`). */
  code: string;
  severity: Severity;
  /** Says what is wrong, quotes the bad value and what is allowed or what to do. */
  message: string;
}

/**
 * The one way diagnostics are made: a message never quotes key material or a token, whatever
 * value it quotes (see `maskKeyMaterial`).
 */
export function createDiagnostic(fields: Diagnostic): Diagnostic {
  return { ...fields, message: maskKeyMaterial(fields.message) };
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}: ${prefix}${d.code}: ${maskKeyMaterial(d.message)}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Sorted by file and position, each message masked as `createDiagnostic` does (for JSON output). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map(createDiagnostic)
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
