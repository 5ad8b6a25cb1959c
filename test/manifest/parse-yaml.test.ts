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

  // 99 aliases of one 1,000-item list: few aliases, ~99,000 nodes. The parser's own counter let
  // it through (seconds of work, ~99,000 diagnostics); at 2,000 items the CLI overflowed the stack.
  it.each([1000, 2000])('refuses 99 aliases of a %i-item list with one diagnostic', (n) => {
    const list = Array.from({ length: n }, (_, i) => `    - path: f${i}.csv`).join('\n');
    const text =
      `id: x\nworkPackage: dsg-2026-03\ntitle: T\npurpose: P\nrequester: erin\ncollections:\n` +
      `  - name: c0\n    kind: report\n    description: D\n    destination: researcher-blob\n    items: &items\n${list}\n` +
      Array.from(
        { length: 99 },
        (_, i) =>
          `  - name: c${i + 1}\n    kind: report\n    description: D\n    destination: researcher-blob\n    items: *items\n`,
      ).join('');
    const parsed = parseYaml(text, 'requests/x.yaml');
    expect(parsed.value).toBeUndefined();
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]).toMatchObject({ code: 'too-many-aliases' });
    expect(parsed.diagnostics[0]!.message).toContain(`more than ${defaultYamlLimits.maxAliasNodes} nodes`);
    // Located at the alias that passes the limit: the collections before it expand within it.
    expect(parsed.diagnostics[0]!.line).toBeGreaterThan(n + 6);
    const manifest = parseManifest(text, 'requests/x.yaml', createSchemaValidators(), buildExampleContext());
    expect(manifest.diagnostics.map((d) => d.code)).toEqual(['too-many-aliases']);
  });

  it('refuses a recursive alias', () => {
    const parsed = parseYaml('a: &a [1, *a]\n', 'x.yaml');
    expect(parsed.value).toBeUndefined();
    expect(parsed.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['too-many-aliases', 1, 11]]);
  });

  it('accepts many aliases of small values', () => {
    const text = `base: &b {kind: report}\n${Array.from({ length: 500 }, (_, i) => `k${i}: *b`).join('\n')}\n`;
    const parsed = parseYaml(text, 'x.yaml');
    expect(parsed.diagnostics).toEqual([]);
    expect((parsed.value as Record<string, unknown>)['k499']).toEqual({ kind: 'report' });
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

  // Speed is measured by `npm run bench`; here only behaviour (the limits above keep it bounded).
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(yamlish, fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })),
        (text) => {
          const result = parseManifest(text, 'requests/x.yaml', validators, context);
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

describe('YAML syntax errors', () => {
  const base =
    'id: x\ncollections:\n  - name: a\n    kind: report\n    description: D\n    destination: researcher-blob\n';
  // One misplaced line used to print up to six cascading "implicit keys" / "compact mappings" lines.
  it.each([
    ['one space too far', base.replace('    description', '     description'), 5, 6, 5],
    ['one space too few', base.replace('    description', '   description'), 5, 4, 3],
    ['a top-level key indented', 'id: x\n title: y\nz: 1\n', 2, 2, 1],
  ])('%s gives one line naming the misplaced line', (_name, text, line, column, spaces) => {
    const parsed = parseYaml(text, 'requests/x.yaml');
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]).toMatchObject({ code: 'yaml-syntax', line, column });
    expect(parsed.diagnostics[0]!.message).toMatch(new RegExp(`indented ${spaces} space`));
  });

  it('reports every duplicate key when the syntax is otherwise fine', () => {
    const parsed = parseYaml('a: 1\na: 2\nb: 1\nb: 2\n', 'x.yaml');
    expect(parsed.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['duplicate-key', 2],
      ['duplicate-key', 4],
    ]);
  });
});
