import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeUnsafeItemPath } from '../../action/src/manifest/item-path.js';

// The reference: the checks as written before the one-expression fast path.
function reference(path: string): boolean {
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) return false;
  if (path.includes('\\')) return false;
  if (/[\u0000-\u001f\u007f]/.test(path)) return false;
  const segments = path.split('/');
  if (segments.includes('..')) return false;
  const trimmed = path.endsWith('/') ? segments.slice(0, -1) : segments;
  return !trimmed.some((s) => s === '' || s === '.');
}

describe('describeUnsafeItemPath', () => {
  it.each([
    ['report/fig-1.png', true],
    ['report/', true],
    ['...', true],
    ['a/.hidden', true],
    ['a/..b', true],
    ['a/../b', false],
    ['a/./b', false],
    ['./a', false],
    ['a//b', false],
    ['a/b//', false],
    ['/etc/passwd', false],
    ['C:/x', false],
    ['~/x', false],
    ['a\\b', false],
    ['a\nb', false],
    ['', false],
  ])('%j safe: %s', (path, safe) => {
    expect(describeUnsafeItemPath(path) === undefined).toBe(safe);
  });

  it('says safe exactly when the reference checks do', () => {
    const segment = fc.oneof(
      fc.constantFrom('', '.', '..', '...', '~', 'C:', 'a', '.x', 'b\\c', 'd\ne', 'ü', '\u007f'),
      fc.string({ maxLength: 4 }),
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(path, (p) => {
        expect(describeUnsafeItemPath(p) === undefined, JSON.stringify(p)).toBe(reference(p));
      }),
      { numRuns: 5000 },
    );
  });
});
