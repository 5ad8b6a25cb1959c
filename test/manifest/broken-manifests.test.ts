import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../action/src/manifest/parse-manifest.js';
import { createSchemaValidators } from '../../action/src/manifest/schema.js';
import { formatDiagnostic } from '../../action/src/shared/diagnostics.js';
import { buildExampleContext } from './context.js';

const dir = fileURLToPath(new URL('../fixtures/broken-manifests/', import.meta.url));

// Each fixture's first line says what it must produce: `# expect: <code> <line>:<column>`.
const corpus = readdirSync(dir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => {
    const text = readFileSync(dir + name, 'utf8');
    const match = /^# expect: ([a-z-]+) (\d+):(\d+)/.exec(text);
    if (!match) throw new Error(`${name}: first line must be '# expect: <code> <line>:<column>'`);
    return { name, text, code: match[1]!, line: Number(match[2]), column: Number(match[3]) };
  });

describe('broken manifests', () => {
  const validators = createSchemaValidators();
  const context = buildExampleContext();

  it('has a corpus of at least 30 fixtures', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus)('$name → $code at $line:$column', ({ name, text, code, line, column }) => {
    const file = `requests/${name}`;
    const result = parseManifest(text, file, validators, context);
    const found = result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`);
    expect(found).toContain(`${code} ${line}:${column}`);
    for (const d of result.diagnostics) {
      expect(formatDiagnostic(d)).toMatch(/^requests\/[a-z0-9-]+\.yaml(:\d+:\d+)?: [a-z-]+: .{10,}/);
    }
  });
});
