import type { DisclosureRuleId, ResolvedRules } from '../policy/disclosure-rules.js';
import type { DisclosureSeverity } from '../policy/types.js';

export type { DisclosureRuleId } from '../policy/disclosure-rules.js';

/** `declared`: the manifest's table declaration says what the column is; `inferred`: we guessed. */
export type FindingBasis = 'declared' | 'inferred';

/** One disclosure-risk finding: advice for the reviewers; it blocks only where the policy says so. */
export interface Finding {
  rule: DisclosureRuleId;
  severity: DisclosureSeverity;
  /** Item path relative to the outputs root. */
  file: string;
  /** 1-based; 0 when the finding is about the whole file. */
  line: number;
  column: number;
  /** `C3` (column letter, line) for a table cell; a notebook cell's number. */
  cell?: string;
  basis: FindingBasis;
  message: string;
  /** What to do: suppress, round, aggregate, remove, or declare. */
  advice: string;
  /** Present when the manifest acknowledges this finding: the requester's reason. */
  acknowledged?: { reason: string };
}

/** What the scanners need: the resolved rules and the request-wide limits. */
export interface DisclosureSettings {
  rules: ResolvedRules;
}

/** A finding before the rule's severity is attached (scanners do not know the policy's severity). */
export type RawFinding = Omit<Finding, 'severity' | 'acknowledged'>;

/** Spreadsheet-style cell name: 1-based field index and line → `C3`. */
export function cellName(fieldIndex: number, line: number): string {
  let n = fieldIndex;
  let letters = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    letters = String.fromCharCode(65 + r) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `${letters}${line}`;
}

/** Attaches severity; drops findings of disabled rules. */
export function settle(raw: readonly RawFinding[], settings: DisclosureSettings): Finding[] {
  return raw
    .filter((f) => settings.rules[f.rule].enabled)
    .map((f) => ({ ...f, severity: settings.rules[f.rule].severity }));
}
