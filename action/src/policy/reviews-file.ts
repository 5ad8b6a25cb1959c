/**
 * The reviews file that `egress-gate evaluate` and `pack` read in place of a forge (SPEC §6):
 * who opened the pull request, the head commit, who merged, and the reviews oldest first.
 */
import reviewsFileSchema from '../../../schemas/reviews-file.schema.json' with { type: 'json' };
import { loadSchemaFunctions } from '../manifest/compiled-schemas.js';
import { diagnosticAt, findNode, parseYaml } from '../manifest/parse-yaml.js';
import { mapSchemaErrors } from '../manifest/schema.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { Review, ReviewState } from './types.js';

export interface ReviewsFile {
  author: string;
  head?: string;
  merger?: string;
  /** Ids are the file's `id` fields, or else the 1-based position. */
  reviews: Review[];
}

export interface ParsedReviewsFile {
  reviewsFile?: ReviewsFile;
  diagnostics: Diagnostic[];
}

/** Ships as `schemas/reviews-file.schema.json` (package.json `files`), for editors and for messages. */
export { reviewsFileSchema };
export const reviewsFileSchemaPath = 'schemas/reviews-file.schema.json';

interface RawReview {
  id?: string | number;
  user: string;
  state: ReviewState;
  commit?: string;
  body?: string;
  submittedAt?: string;
  dismissed?: boolean;
  stale?: boolean;
}

export interface ReviewsFileParser {
  parse(text: string, file: string): ParsedReviewsFile;
}

export function createReviewsFileParser(): ReviewsFileParser {
  const validate = loadSchemaFunctions()('reviews-file');
  return {
    parse(text, file) {
      const parsed = parseYaml(text, file);
      if (parsed.diagnostics.length > 0) return { diagnostics: parsed.diagnostics };
      const value = parsed.value as { head?: unknown; reviews?: unknown } | null | undefined;
      // An all-digit sha such as 1234567 reads as a number in YAML: take the text as written.
      const asWritten = (pointer: string, v: unknown) => {
        if (typeof v !== 'number' || !parsed.document) return v;
        const range = findNode(parsed.document, pointer)?.range;
        return range ? text.slice(range[0], range[1]).trim() : v;
      };
      if (value && typeof value === 'object') {
        if ('head' in value) value.head = asWritten('/head', value.head);
        if (Array.isArray(value.reviews)) {
          value.reviews.forEach((r: unknown, i: number) => {
            if (!r || typeof r !== 'object') return;
            const review = r as { state?: unknown; commit?: unknown };
            // States are upper case on the forges; accept what a person types.
            if (typeof review.state === 'string') review.state = review.state.toUpperCase();
            if ('commit' in review) review.commit = asWritten(`/reviews/${i}/commit`, review.commit);
          });
        }
      }
      if (!validate(value)) {
        // The schema's pattern means "a commit sha": say so rather than print the expression.
        const diagnostics = mapSchemaErrors(parsed, validate.errors ?? [], reviewsFileSchemaPath).map((d) =>
          d.code === 'invalid-value' && /\/(head|commit)$/.test(d.pointer) && d.message.includes('must match')
            ? {
                ...d,
                message: d.message.replace(
                  /it must match .*$/,
                  'write the commit sha (at least 7 hex digits).',
                ),
              }
            : d,
        );
        // Say where the format is written down, once per problem.
        return {
          diagnostics: diagnostics.map((d) => ({
            ...d,
            message: `${d.message} The format: ${reviewsFileSchemaPath}.`,
          })),
        };
      }
      const raw = value as unknown as {
        author: string;
        head?: string;
        merger?: string;
        reviews: RawReview[];
      };
      const diagnostics: Diagnostic[] = [];
      const reviews = raw.reviews.map((r, i): Review => {
        if (raw.head !== undefined && r.commit === undefined) {
          diagnostics.push(
            diagnosticAt(
              parsed,
              `/reviews/${i}`,
              'missing-field',
              `review ${i + 1} by '${r.user}' has no commit; with head set, every review needs the commit it was made on.`,
            ),
          );
        }
        const review: Review = {
          id: r.id === undefined ? String(i + 1) : String(r.id),
          user: r.user,
          state: r.state,
          commit: r.commit ?? '',
          body: r.body ?? '',
        };
        if (r.submittedAt !== undefined) review.submittedAt = r.submittedAt;
        if (r.dismissed !== undefined) review.dismissed = r.dismissed;
        if (r.stale !== undefined) review.stale = r.stale;
        return review;
      });
      const ids = new Set<string>();
      reviews.forEach((r, i) => {
        if (ids.has(r.id)) {
          diagnostics.push(
            diagnosticAt(
              parsed,
              `/reviews/${i}/id`,
              'duplicate-id',
              `review id '${r.id}' is used twice; ids must be unique.`,
            ),
          );
        }
        ids.add(r.id);
      });
      if (diagnostics.length > 0) return { diagnostics };
      const reviewsFile: ReviewsFile = { author: raw.author, reviews };
      if (raw.head !== undefined) reviewsFile.head = raw.head;
      if (raw.merger !== undefined) reviewsFile.merger = raw.merger;
      return { reviewsFile, diagnostics };
    },
  };
}

export function parseReviewsFile(text: string, file: string): ParsedReviewsFile {
  return createReviewsFileParser().parse(text, file);
}
