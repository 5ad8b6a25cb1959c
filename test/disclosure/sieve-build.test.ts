import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { compileSieve, findClang } from '../../scripts/build-sieve.mjs';

const clang = (findClang as () => string | undefined)();

describe('the committed line sieve', () => {
  // .ci/run installs clang-14 and lld-14, so CI always runs this; a machine without them skips it.
  it.skipIf(!clang)(
    'is what sieve.c compiles to (run node scripts/build-sieve.mjs after editing sieve.c)',
    () => {
      const committed = readFileSync(
        new URL('../../action/src/disclosure/sieve/sieve-wasm.ts', import.meta.url),
        'utf8',
      );
      expect((compileSieve as (clang?: string) => string)(clang)).toBe(committed);
    },
  );
});
