import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from './cli-io.js';

// The bundle (npm test builds it first) validates with schemas compiled ahead of time
// (scripts/bundle.mjs); what a user reads must be word for word what the source says.
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(repoRoot, 'dist/cli.js');
const broken = join(repoRoot, 'test/fixtures/broken-manifests');

describe('the bundled CLI reports schema problems as the source does', () => {
  let repo: string;
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'egress-bundle-'));
    await cp(join(repoRoot, 'examples'), repo, { recursive: true });
    await cp(broken, join(repo, 'requests'), { recursive: true });
    await writeFile(
      join(repo, 'bad-reviews.yaml'),
      'author: erin\nhead: 5f3c9e1\nmerger: 7\nreviews:\n  - user: bob\n    state: LOOKS_GOOD\n    extra: 1\n    commit: xyz\n',
    );
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  const both = async (argv: string[]) => {
    const io = createCapturedIo(repo);
    const status = await runCli(argv, io);
    const bundled = spawnSync(process.execPath, [cli, ...argv], { cwd: repo, encoding: 'utf8' });
    return {
      source: { status, stdout: io.out() },
      bundle: { status: bundled.status, stdout: bundled.stdout },
    };
  };

  it('for every broken manifest of the corpus', async () => {
    const names = (await readdir(broken)).filter((n) => n.endsWith('.yaml')).sort();
    const { source, bundle } = await both(['validate', '--json', ...names.map((n) => `requests/${n}`)]);
    expect(source.status).toBe(1);
    const reports = source.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(reports).toHaveLength(names.length);
    const codes = new Set(reports.flatMap((r) => r.diagnostics.map((d: { code: string }) => d.code)));
    for (const code of ['unknown-field', 'missing-field', 'wrong-type', 'invalid-value'])
      expect(codes).toContain(code);
    expect(bundle).toEqual(source);
  });

  it('for a broken reviews file', async () => {
    const argv = [
      'evaluate',
      'requests/dsg-2026-03-final-outputs.yaml',
      '--reviews',
      'bad-reviews.yaml',
      '--json',
    ];
    const { source, bundle } = await both(argv);
    expect(source.stdout).toMatch(/LOOKS_GOOD/);
    expect(bundle).toEqual(source);
  });
});

describe('the committed bundle', () => {
  it('does not depend on where the repository is checked out (no absolute path of this checkout in it)', async () => {
    const files = [
      'dist/index.js',
      'dist/cli.js',
      ...(await readdir(join(repoRoot, 'dist/cli-chunks'))).map((f) => `dist/cli-chunks/${f}`),
    ];
    const withPath = [];
    for (const file of files)
      if ((await readFile(join(repoRoot, file), 'utf8')).includes(repoRoot.replace(/\/$/, '')))
        withPath.push(file);
    expect(withPath).toEqual([]);
  });

  it('does not depend on which optional native add-ons this machine installed (cpu-features)', async () => {
    // Inlined where npm happened to build it, required by name where it did not: two bundles.
    const bundle = await readFile(join(repoRoot, 'dist/index.js'), 'utf8');
    expect(bundle).not.toContain('node_modules/cpu-features');
    expect(bundle).toContain('__require("cpu-features")');
  });
});
