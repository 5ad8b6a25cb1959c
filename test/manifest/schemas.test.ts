import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const names = ['manifest', 'config', 'work-package', 'receipt'];
const load = (name: string) =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../schemas/${name}.schema.json`, import.meta.url)), 'utf8'),
  );

/** Every property schema, with where it is, anywhere in a schema document. */
function listProperties(
  node: unknown,
  at: string,
  out: { at: string; schema: Record<string, unknown> }[] = [],
) {
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) listProperties(n, `${at}/${i}`, out);
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'properties' && value && typeof value === 'object') {
        for (const [name, schema] of Object.entries(value))
          out.push({ at: `${at}/properties/${name}`, schema });
      }
      listProperties(value, `${at}/${key}`, out);
    }
  }
  return out;
}

describe.each(names)('schemas/%s.schema.json', (name) => {
  const schema = load(name);

  it('is draft 2020-12 with an $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`https://egress-gate.github.io/schemas/${name}.schema.json`);
  });

  it('describes every field', () => {
    const undocumented = listProperties(schema, '')
      .filter(({ at, schema: s }) => typeof s.description !== 'string' && !at.includes('/if/'))
      .map(({ at }) => at);
    expect(undocumented).toEqual([]);
  });

  it('rejects unknown fields in every object it defines', () => {
    const open = listProperties(schema, '')
      .map(({ at }) => at.replace(/\/properties\/[^/]+$/, ''))
      .filter((at, i, all) => all.indexOf(at) === i)
      .filter((at) => !at.includes('/if') && !at.endsWith('/properties/kind'))
      .filter((at) => {
        const owner = at
          .split('/')
          .slice(1)
          .reduce((n: Record<string, unknown>, k) => n[k] as Record<string, unknown>, schema);
        return (
          owner.additionalProperties !== false &&
          owner.$ref === undefined &&
          !at.endsWith('$defs/destination')
        );
      });
    expect(open).toEqual([]);
  });
});
