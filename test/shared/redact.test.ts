import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../action/src/cli/run.js';
import { parseReviewsFile } from '../../action/src/policy/reviews-file.js';
import { formatDiagnostic } from '../../action/src/shared/diagnostics.js';
import { createRedactor, maskKeyMaterial } from '../../action/src/shared/redact.js';
import { createCapturedIo } from '../cli/cli-io.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const secretKeyPath = 'examples/.egress-demo-secrets/investigator.secret.asc';
const secretKey = readFileSync(`${repoRoot}${secretKeyPath}`, 'utf8');
// The first characters of the key body: what the wrong-type message used to quote.
const keyBody = secretKey.split(/\r?\n\r?\n/)[1]!.slice(0, 12);

describe('key material is never quoted', () => {
  it('a secret key read as a reviews file is described, not echoed', () => {
    const parsed = parseReviewsFile(secretKey, 'investigator.secret.asc');
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    const text = parsed.diagnostics.map(formatDiagnostic).join('\n');
    expect(text).not.toContain('BEGIN PGP');
    expect(text).not.toContain(keyBody);
    expect(text).toContain('<an OpenPGP secret key block, not shown>');
  });

  it('egress-gate evaluate --reviews <secret key> prints neither the armor nor the key', async () => {
    for (const json of [false, true]) {
      const io = createCapturedIo(repoRoot);
      const argv = [
        'evaluate',
        '--repo',
        'examples',
        'examples/requests/dsg-2026-03-summary-statistics.yaml',
      ];
      const code = await runCli([...argv, '--reviews', secretKeyPath, ...(json ? ['--json'] : [])], io);
      expect(code).toBe(2);
      const printed = io.out() + io.err();
      expect(printed).toMatch(/invalid/);
      expect(printed).not.toContain('BEGIN PGP');
      expect(printed).not.toContain(keyBody);
    }
  });

  it.each([
    ['armored secret key', secretKey.trimEnd(), '<an OpenPGP secret key block, not shown>'],
    [
      'shortened quote',
      `not '${JSON.stringify(secretKey).slice(1, 70)}...'.`,
      "not '<an OpenPGP secret key block, not shown>'.",
    ],
    [
      'OpenSSH private key',
      'key: -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY----- (end)',
      'key: <a private key, not shown> (end)',
    ],
    [
      'GitHub token',
      "title 'ghp_0123456789abcdefABCDEF0123456789abcd' here",
      "title '<a GitHub token, not shown>' here",
    ],
    [
      'SAS signature',
      'https://a.blob/c?sv=2026&sig=AbCdEf0123456789%2Bxyz%3D&se=1',
      'https://a.blob/c?sv=2026&sig=<not shown>&se=1',
    ],
    [
      'JWT',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
      '<a token, not shown>',
    ],
  ])('masks %s by its shape', (_name, text, masked) => {
    expect(maskKeyMaterial(text)).toBe(masked);
  });

  it('leaves pins, commit ids and paths alone', () => {
    const text = `'report/Figures/Figure1Admissions2026ByRegionFinal.svg' has SHA-256 ${'ab12'.repeat(16)} at 5f3c9e1aa0b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0`;
    expect(maskKeyMaterial(text)).toBe(text);
  });

  it('a redactor masks lookalikes as well as registered secrets', () => {
    const redactor = createRedactor();
    redactor.add('hunter2-passphrase');
    expect(redactor.redact(`p=hunter2-passphrase ${secretKey.trimEnd()}`)).toBe(
      'p=*** <an OpenPGP secret key block, not shown>',
    );
  });
});
