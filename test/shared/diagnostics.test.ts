import { describe, expect, it } from 'vitest';
import { formatDiagnostic, sortDiagnostics } from '../../action/src/shared/diagnostics.js';
import { createRedactor } from '../../action/src/shared/redact.js';

const at = (file: string, line: number, column: number) => ({
  file,
  line,
  column,
  pointer: '',
  code: 'x',
  severity: 'error' as const,
  message: 'm',
});

describe('diagnostics', () => {
  it('formats as file:line:col: code: message, and the whole file without a position', () => {
    expect(formatDiagnostic({ ...at('requests/a.yaml', 3, 7), code: 'duplicate-key', message: 'k' })).toBe(
      'requests/a.yaml:3:7: duplicate-key: k',
    );
    expect(formatDiagnostic({ ...at('requests/a.yaml', 0, 0), code: 'too-large' })).toBe(
      'requests/a.yaml: too-large: m',
    );
  });

  it('sorts by file, then line, then column', () => {
    const sorted = sortDiagnostics([at('b', 1, 1), at('a', 2, 5), at('a', 2, 1), at('a', 1, 9)]);
    expect(sorted.map((d) => `${d.file}:${d.line}:${d.column}`)).toEqual([
      'a:1:9',
      'a:2:1',
      'a:2:5',
      'b:1:1',
    ]);
  });
});

describe('redactor', () => {
  it('masks every registered secret, and each line of a multi-line key', () => {
    const r = createRedactor();
    r.add('s3cr3t-token');
    r.add('-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBGN0aW5nIGEga2V5IGJsb2Nr\n-----END');
    const text = r.redact('token=s3cr3t-token line=lQdGBGN0aW5nIGEga2V5IGJsb2Nr');
    expect(text).toBe('token=*** line=***');
  });

  it('ignores values too short to be secrets', () => {
    const r = createRedactor();
    r.add('ab');
    expect(r.redact('abc')).toBe('abc');
  });
});
