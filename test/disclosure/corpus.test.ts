import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scanRequestOutputs } from '../../action/src/app/scan-request.js';
import type { TableDeclaration } from '../../action/src/manifest/types.js';
import { corpusManifest, turing } from './corpus.js';

/** The labelled corpus (test/fixtures/disclosure/labels.yaml): every expected finding, no other. */
const dir = join(import.meta.dirname, '../fixtures/disclosure');

interface Labels {
  declarations: Record<string, TableDeclaration>;
  expected: { inferred: Record<string, string[]>; declared: Record<string, string[]> };
}

async function run(declared: boolean) {
  const labels = parse(await readFile(join(dir, 'labels.yaml'), 'utf8')) as Labels;
  const files = (await readdir(dir)).filter((f) => f !== 'labels.yaml').sort();
  const manifest = corpusManifest(files, declared ? labels.declarations : {});
  const [collection] = await scanRequestOutputs(manifest, dir, turing);
  const found = new Map<string, string[]>();
  for (const f of collection!.findings) {
    const label = [f.rule, String(f.line), ...(f.cell ? [f.cell] : [])].join(' ');
    found.set(f.file, [...(found.get(f.file) ?? []), label]);
  }
  const expected = { ...labels.expected.inferred, ...(declared ? labels.expected.declared : {}) };
  return { files, found, expected, collection: collection! };
}

describe.each([false, true])('the labelled corpus (declared: %s)', (declared) => {
  it('yields every expected finding and no unexpected one', async () => {
    const { files, found, expected, collection } = await run(declared);
    expect(collection.unreadable).toEqual([]);
    for (const file of files) {
      expect([...(found.get(file) ?? [])].sort(), file).toEqual([...(expected[file] ?? [])].sort());
    }
  });

  it('says which findings are declared and which inferred, and what to do about each', async () => {
    const { collection } = await run(declared);
    for (const f of collection.findings) {
      expect(f.advice.length, `${f.file} ${f.rule}`).toBeGreaterThan(5);
      expect(f.severity).toBe('advice');
      if (f.rule === 'small-cell' || f.rule === 'zero-cell')
        expect(f.basis).toBe(declared && f.file === 'counts-at-threshold.csv' ? 'declared' : 'inferred');
    }
  });
});
