/** One disclosure-risk finding: advisory, never an approval or a refusal by itself. */
export type FindingCode =
  | 'small-cell'
  | 'email-address'
  | 'phone-number'
  | 'uk-postcode'
  | 'nhs-number'
  | 'date-of-birth'
  | 'precise-coordinates'
  | 'image-gps'
  | 'file-too-large'
  | 'archive';

export interface Finding {
  /** Item path relative to the outputs root. */
  path: string;
  /** 1-based; 0 when the finding is about the whole file. */
  line: number;
  column: number;
  code: FindingCode;
  message: string;
}

export interface DisclosureLimits {
  /** Counts below this (and above zero) are small cells. */
  minCellCount: number;
  maxFileBytes: number;
}

export const defaultDisclosureLimits: DisclosureLimits = {
  minCellCount: 10,
  maxFileBytes: 100 * 1024 * 1024,
};
