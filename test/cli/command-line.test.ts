import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '../../action/src/cli/command-line.js';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from './cli-io.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const examples = `${repoRoot}examples`;

describe('options every command shares', () => {
  // The README calls --repo common; verify and demo used to refuse it as an unknown option.
  it('verify accepts --repo (and goes on to ask for what it needs)', async () => {
    const io = createCapturedIo(repoRoot);
    expect(await runCli(['verify', '--repo', 'examples', 'x.tar.gpg'], io)).toBe(2);
    expect(io.err()).not.toMatch(/unknown option/i);
    expect(io.err()).toContain('missing --key');
  });

  it('evaluate finds the repository from a sub-folder', async () => {
    const io = createCapturedIo(`${examples}/outputs`);
    const code = await runCli(
      [
        'evaluate',
        '../requests/dsg-2026-03-summary-statistics.yaml',
        '--reviews',
        '../reviews/dsg-2026-03-summary-statistics.yaml',
      ],
      io,
    );
    expect(io.err()).not.toContain('missing-config');
    expect(code).toBe(0);
  });

  it('finds the nearest folder holding .egress/, or keeps the working directory', () => {
    expect(findRepoRoot(`${examples}/outputs/report/figures`, undefined)).toBe(examples);
    expect(findRepoRoot(`${examples}/outputs`, '..')).toBe(examples);
    expect(findRepoRoot('/', undefined)).toBe('/');
  });
});
