import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../action/src/manifest/parse-manifest.js';
import { locate, parseYaml } from '../../action/src/manifest/parse-yaml.js';
import { createSchemaValidators } from '../../action/src/manifest/schema.js';
import { defaultYamlLimits, findExcessiveNesting } from '../../action/src/manifest/yaml-limits.js';
import { buildExampleContext } from './context.js';

function aliasBomb(levels: number): string {
  let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
  let previous = 'a';
  for (let i = 0; i < levels; i++) {
    text += `b${i}: &b${i} [${Array(10).fill(`*${previous}`).join(', ')}]\n`;
    previous = `b${i}`;
  }
  return text;
}

describe('parseYaml limits', () => {
  // Each of these hung or crashed the bare parser (100,000 `- ` ran the heap out) or expands to ~10^9 nodes.
  it.each([
    ['oversize', `a: ${'x'.repeat(defaultYamlLimits.maxBytes)}\n`, 'too-large'],
    ['alias bomb', aliasBomb(8), 'too-many-aliases'],
    ['deep flow nesting', `a: ${'['.repeat(500_000)}`, 'too-deep'],
    ['deep compact block nesting', `${'- '.repeat(100_000)}x`, 'too-deep'],
    ['deep indentation', Array.from({ length: 1200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), 'too-deep'],
    ['flow nesting after an anchor', `a: &x ${'['.repeat(100_000)}`, 'too-deep'],
    // An apostrophe inside a flow plain scalar is no quote: it must not hide what follows from the scan.
    ["deep nesting after [a'b]", `workPackage: [a'b]\nc: ${'- '.repeat(100_000)}x\n`, 'too-deep'],
    ["deep nesting after {k: it's}", `t: {k: it's}\nc:\n${'- '.repeat(100_000)}x\n`, 'too-deep'],
  ])('%s is refused with a clear diagnostic', (_name, text, code) => {
    const parsed = parseYaml(text, 'requests/x.yaml');
    expect(parsed.value).toBeUndefined();
    expect(parsed.diagnostics.map((d) => d.code)).toEqual([code]);
    expect(parsed.diagnostics[0]!.message).toMatch(/limit|deeper|alias/);
  });

  it.each([
    ['brackets inside quoted text', `title: "${'['.repeat(200)}"\n`],
    ['brackets inside a block scalar', `notes: |\n  ${'['.repeat(200)}\n  done\n`],
    ['brackets inside plain text', `title: see [1] and ${'[x '.repeat(100)}\n`],
    ['brackets inside a comment', `a: 1 # ${'['.repeat(200)}\n`],
    ['ordinary nesting', 'a:\n  b:\n    - c: [1, {d: [2, 3]}]\n'],
    ['quotes where flow values start', `a: ['${'['.repeat(100)}', {b: "${'{'.repeat(100)}"}, it's]\n`],
  ])('%s is not mistaken for nesting', (_name, text) => {
    expect(findExcessiveNesting(text, defaultYamlLimits.maxDepth)).toBeUndefined();
    expect(parseYaml(text, 'x.yaml').diagnostics).toEqual([]);
  });

  it('refuses anchors only when their expansion is excessive', () => {
    const parsed = parseYaml('base: &b {kind: report}\nother: *b\n', 'x.yaml');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.value).toEqual({ base: { kind: 'report' }, other: { kind: 'report' } });
  });

  it('locates JSON pointers at the node, and keys at the key', () => {
    const parsed = parseYaml('a:\n  list:\n    - x\n    - {y: 1}\n', 'x.yaml');
    expect(locate(parsed, '/a/list/1/y')).toEqual({ line: 4, column: 11 });
    expect(locate(parsed, '/a/list/1/y', true)).toEqual({ line: 4, column: 8 });
    expect(locate(parsed, '/a/list', true)).toEqual({ line: 2, column: 3 });
    expect(locate(parsed, '/a/missing/deeper')).toEqual({ line: 2, column: 3 });
  });
});

describe('manifest parsing under fuzzing', () => {
  const validators = createSchemaValidators();
  const context = buildExampleContext();
  const yamlish = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          'id: x\n',
          'collections:\n',
          '  - ',
          'name: a',
          '[',
          ']',
          '{',
          '}',
          '&a ',
          '*a ',
          ': ',
          '- ',
          '\n',
        ),
        fc.constantFrom('"', "'", '#', '|\n', '>-\n', '\t', '---\n', '? ', '!!str ', '%YAML 1.2\n', ',', '~'),
        fc.string({ maxLength: 8 }),
        fc.nat({ max: 20 }).map((n) => ' '.repeat(n)),
      ),
      { maxLength: 200 },
    )
    .map((parts) => parts.join(''));

  it('never throws and stays fast on arbitrary text', () => {
    let slowest = 0;
    fc.assert(
      fc.property(
        fc.oneof(yamlish, fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })),
        (text) => {
          const started = performance.now();
          const result = parseManifest(text, 'requests/x.yaml', validators, context);
          slowest = Math.max(slowest, performance.now() - started);
          for (const d of result.diagnostics) {
            expect(d.code).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
            expect(d.line).toBeGreaterThanOrEqual(0);
            expect(d.line).toBeLessThanOrEqual(text.split(/\r\n|\n|\r/).length + 1);
            expect(d.message.length).toBeGreaterThan(5);
          }
          if (result.value) expect(result.value.collections.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 400 },
    );
    // A generous guard against hangs, not a benchmark: one input taking a second is a defect.
    expect(slowest).toBeLessThan(1000);
  });

  it('never throws on mutations of a valid manifest', () => {
    const valid = `id: x\nworkPackage: dsg-2026-03\ntitle: T\npurpose: P\nrequester: erin\ncollections:\n  - name: a\n    kind: report\n    description: D\n    destination: researcher-blob\n    items:\n      - path: report/a.csv\n`;
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.nat({ max: 5 }),
        fc.string({ maxLength: 6 }),
        (at, cut, insert) => {
          const text = valid.slice(0, at) + insert + valid.slice(at + cut);
          const result = parseManifest(text, 'requests/x.yaml', validators, context);
          expect(Array.isArray(result.diagnostics)).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });
});
