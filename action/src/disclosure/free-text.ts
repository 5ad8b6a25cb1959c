/**
 * Free-text columns (notes, comments, reasons) can name people. A column is reported when its
 * median length is long and its values are mostly distinct. Memory is bounded: lengths go into a
 * histogram over the first `MAX_VALUES` values, and distinctness is judged on the first `SAMPLE`.
 */
const MAX_LENGTH = 2000;
const SAMPLE = 2000;
/** The median is taken over the first values only: enough to tell free text, and cheap. */
const MAX_VALUES = 20_000;
/** Fewer values than this say nothing about a column. */
const MIN_VALUES = 5;
const MIN_DISTINCT = 0.8;

export interface FreeTextStats {
  add(value: string): void;
  /** True once further values change nothing (the histogram and the sample are full). */
  saturated(): boolean;
  /** Median length and distinct share, when the column looks like free text. */
  verdict(minMedianLength: number): { median: number; distinct: number } | undefined;
}

export function createFreeTextStats(): FreeTextStats {
  const histogram = new Uint32Array(MAX_LENGTH + 1);
  const seen = new Set<string>();
  let sampled = 0;
  let count = 0;
  return {
    add(value) {
      if (value === '' || count >= MAX_VALUES) return;
      count += 1;
      histogram[Math.min(value.length, MAX_LENGTH)]! += 1;
      if (sampled < SAMPLE) {
        sampled += 1;
        seen.add(value);
      }
    },
    saturated() {
      return count >= MAX_VALUES;
    },
    verdict(minMedianLength) {
      if (count < MIN_VALUES) return undefined;
      let below = 0;
      let median = 0;
      for (let length = 0; length <= MAX_LENGTH; length += 1) {
        below += histogram[length]!;
        if (below * 2 >= count) {
          median = length;
          break;
        }
      }
      const distinct = seen.size / sampled;
      return median >= minMedianLength && distinct >= MIN_DISTINCT ? { median, distinct } : undefined;
    },
  };
}
