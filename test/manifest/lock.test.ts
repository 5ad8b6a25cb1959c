import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyPins, type FilePin, type ItemPins } from '../../action/src/manifest/lock.js';

const a = 'a'.repeat(64);
const b = 'b'.repeat(64);
const pin = (path: string, sha256 = a, size = 3): FilePin => ({ path, sha256, size });
const file = (pointer: string, p: FilePin): ItemPins => ({ pointer, directory: false, files: [p] });

const manifest = `# request
collections:
  - name: report-inputs   # low tier
    items:
      # the table
      - path: tables/t.csv  # final
        description: >-
          A long description that
          is folded over two lines.
      - path: figures
`;

describe('applyPins', () => {
  it('inserts pins after the path line and keeps every comment and the folded text', () => {
    const { text, changed } = applyPins(manifest, [file('/collections/0/items/0', pin('tables/t.csv'))]);
    expect(changed).toBe(true);
    expect(text).toBe(
      manifest.replace(
        '      - path: tables/t.csv  # final\n',
        `      - path: tables/t.csv  # final\n        sha256: ${a}\n        size: 3\n`,
      ),
    );
  });

  it('expands a directory into sorted entries at the same indentation', () => {
    const { text } = applyPins(manifest, [
      {
        pointer: '/collections/0/items/1',
        directory: true,
        files: [pin('figures/1.png', a, 1), pin('figures/2.png', b, 2)],
      },
    ]);
    expect(
      text.endsWith(
        `      - path: figures/1.png\n        sha256: ${a}\n        size: 1\n      - path: figures/2.png\n        sha256: ${b}\n        size: 2\n`,
      ),
    ).toBe(true);
    expect(text).toContain('# the table');
    expect(parse(text).collections[0].items).toHaveLength(3);
  });

  it('is a fixed point: locking the locked text changes nothing', () => {
    const pins: ItemPins[] = [file('/collections/0/items/0', pin('tables/t.csv'))];
    const once = applyPins(manifest, pins).text;
    const twice = applyPins(once, pins);
    expect(twice).toEqual({ text: once, changed: false });
  });

  it('refreshes a stale pin in place', () => {
    const locked = applyPins(manifest, [file('/collections/0/items/0', pin('tables/t.csv'))]).text;
    const { text } = applyPins(locked, [file('/collections/0/items/0', pin('tables/t.csv', b, 40))]);
    expect(text).toBe(locked.replace(a, b).replace('size: 3', 'size: 40'));
  });

  it.each([
    [
      'a flow item in a block list',
      'items:\n  - {path: x.csv}  # flow\n',
      `items:\n  - { path: x.csv, sha256: ${a}, size: 3 }  # flow\n`,
    ],
    ['a flow list', 'items: [{path: x.csv}]\n', `items: [{ path: x.csv, sha256: ${a}, size: 3 }]\n`],
    [
      'four-space indentation',
      'items:\n    -   path: x.csv\n',
      `items:\n    -   path: x.csv\n        sha256: ${a}\n        size: 3\n`,
    ],
    ['no final newline', 'items:\n- path: x.csv', `items:\n- path: x.csv\n  sha256: ${a}\n  size: 3`],
    [
      'an existing size only',
      'items:\n- path: x.csv\n  size: 9\n',
      `items:\n- path: x.csv\n  sha256: ${a}\n  size: 3\n`,
    ],
  ])('handles %s', (_name, source, expected) => {
    const text = applyPins(source, [file('/items/0', pin('x.csv'))]).text;
    expect(text).toBe(expected);
    expect(parse(text).items[0]).toEqual({ path: 'x.csv', sha256: a, size: 3 });
  });

  it('drops a directory whose files are all listed already', () => {
    const source = 'items:\n- path: d/x.csv\n- path: d\n';
    const { text } = applyPins(source, [{ pointer: '/items/1', directory: true, files: [] }]);
    expect(text).toBe('items:\n- path: d/x.csv\n');
  });

  it.each([
    ['a block list', 'items:\n- {path: d/x.csv}\n- {path: d}\n', 'items:\n- {path: d/x.csv}\n'],
    ['a flow list, last', 'items: [{path: d/x.csv}, {path: d}]\n', 'items: [{path: d/x.csv}]\n'],
    ['a flow list, first', 'items: [{path: d}, {path: d/x.csv}]\n', 'items: [{path: d/x.csv}]\n'],
  ])('drops a fully listed flow-style directory from %s', (_name, source, expected) => {
    const pointer = source.indexOf('{path: d}') < source.indexOf('d/x.csv') ? '/items/0' : '/items/1';
    expect(applyPins(source, [{ pointer, directory: true, files: [] }]).text).toBe(expected);
  });

  it('quotes paths that would not read back as plain text', () => {
    const source = 'items:\n- path: d\n';
    const { text } = applyPins(source, [
      { pointer: '/items/0', directory: true, files: [pin('d/#1: yes.csv')] },
    ]);
    expect(parse(text).items[0].path).toBe('d/#1: yes.csv');
  });
});

describe('listings', () => {
  it('reads what it writes, and refuses a hash line without its size', async () => {
    const { formatListing, parseListing } = await import('../../action/src/manifest/listing.js');
    const files = [
      { path: 'bulk/a.csv', sha256: 'a'.repeat(64), size: 3 },
      { path: 'bulk/b c.csv', sha256: 'b'.repeat(64), size: 0 },
    ];
    const about = {
      manifestPath: 'requests/r.yaml',
      collection: 'c',
      directory: 'bulk',
      outputsRoot: 'data/outputs',
      file: 'requests/r/c/bulk.sha256',
    };
    const text = formatListing(files, about);
    expect(text).toContain('cd data/outputs && sha256sum --check --strict ../../requests/r/c/bulk.sha256');
    const parsed = parseListing(text, about.file, 'bulk');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.files.map(({ path, sha256, size }) => ({ path, sha256, size }))).toEqual(files);
    const broken = parseListing(
      text.replace('# size 0\n', '').replace('bulk/a.csv', 'other/a.csv'),
      about.file,
      'bulk',
    );
    expect(broken.diagnostics.map((d) => `${d.code} ${d.line}`)).toEqual([
      'invalid-listing 5',
      'invalid-listing 6',
    ]);
  });
});
