import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from './cli-io.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const requests = [
  'examples/requests/dsg-2026-03-final-outputs.yaml',
  'examples/requests/dsg-2026-03-summary-statistics.yaml',
];

describe('egress-gate validate on the committed examples', () => {
  it('exits 0 for every example request', async () => {
    const io = createCapturedIo(repoRoot);
    expect(await runCli(['validate', '--repo', 'examples', ...requests], io)).toBe(0);
    expect(io.out()).toBe(
      'requests/dsg-2026-03-final-outputs.yaml: valid\nrequests/dsg-2026-03-summary-statistics.yaml: valid\n',
    );
    expect(io.err()).toBe('');
  });

  it('prints one JSON object per manifest with --json', async () => {
    const io = createCapturedIo(join(repoRoot, 'examples'));
    expect(await runCli(['validate', '--json', 'requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      manifest: 'requests/dsg-2026-03-summary-statistics.yaml',
      valid: true,
      diagnostics: [],
    });
  });

  it.each([
    [['validate'], /name at least one manifest/],
    [
      ['validate', '--jsno', 'x.yaml'],
      /^egress-gate validate: unknown option '--jsno'; did you mean --json\? Run 'egress-gate validate --help'\.\n$/,
    ],
    [['validate', '--config-dri=x', 'x.yaml'], /unknown option '--config-dri'; did you mean --config-dir\?/],
    [
      ['validate', '--colour', 'x.yaml'],
      /unknown option '--colour'; the options are --repo, --json, --config-dir\./,
    ],
    [['validate', '--repo', 'examples', 'README.md'], /not inside the repository/],
  ])('exits 2 on usage errors: %j', async (argv, message) => {
    const io = createCapturedIo(repoRoot);
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it('documents itself, also as egress-gate help validate', async () => {
    const io = createCapturedIo(repoRoot);
    expect(await runCli(['validate', '--help'], io)).toBe(0);
    expect(io.out()).toMatch(/^Usage: egress-gate validate <manifest/);
    expect(io.out()).toMatch(/Exit codes: 0 .* 1 .* 2 /);
    const viaHelp = createCapturedIo(repoRoot);
    expect(await runCli(['help', 'validate'], viaHelp)).toBe(0);
    expect(viaHelp.out()).toBe(io.out());
    const unknown = createCapturedIo(repoRoot);
    expect(await runCli(['help', 'vaildate'], unknown)).toBe(2);
    expect(unknown.err()).toContain("no command 'vaildate'");
  });

  it('says what to do when given the requests directory', async () => {
    const io = createCapturedIo(join(repoRoot, 'examples'));
    expect(await runCli(['validate', 'requests'], io)).toBe(2);
    expect(io.err()).toContain(
      "'requests' is a directory; name the manifest file(s) in it, e.g. requests/<id>.yaml or requests/*.yaml (it holds requests/dsg-2026-03-age-bands.yaml, requests/dsg-2026-03-final-outputs.yaml, requests/dsg-2026-03-summary-statistics.yaml)",
    );
  });

  it('finds .egress/ above the working directory, as git finds .git', async () => {
    const io = createCapturedIo(join(repoRoot, 'examples/outputs/report'));
    expect(await runCli(['validate', '../../requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(0);
    expect(io.out()).toBe('requests/dsg-2026-03-summary-statistics.yaml: valid\n');
  });
});

describe('egress-gate validate on broken repositories', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'egress-cli-validate-'));
    await cp(join(repoRoot, 'examples'), root, { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('exits 1 and prints file:line:col diagnostics relative to the repository', async () => {
    const path = join(root, 'requests/dsg-2026-03-summary-statistics.yaml');
    const text = await readFile(path, 'utf8');
    await writeFile(
      path,
      text
        .replace('destination: researcher-blob', 'destination: email')
        .replace('requester: erin', 'requester: erin\nrequester: eve'),
    );
    const io = createCapturedIo(root);
    expect(await runCli(['validate', 'requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(1);
    expect(io.err()).toContain(
      "requests/dsg-2026-03-summary-statistics.yaml:7:1: duplicate-key: duplicate key 'requester'",
    );
    expect(io.out()).toBe('');
  });

  it('reports every semantic problem with --json and exits 1', async () => {
    const path = join(root, 'requests/dsg-2026-03-summary-statistics.yaml');
    const text = await readFile(path, 'utf8');
    await writeFile(
      path,
      text
        .replace('destination: researcher-blob', 'destination: email')
        .replace('path: summary-statistics/', 'path: ../'),
    );
    const io = createCapturedIo(root);
    expect(await runCli(['validate', '--json', '--repo', root, path], io)).toBe(1);
    const report = JSON.parse(io.out());
    expect(report.valid).toBe(false);
    expect(
      report.diagnostics.map(
        (d: { code: string; line: number; column: number }) => `${d.code} ${d.line}:${d.column}`,
      ),
    ).toEqual(['unknown-destination 11:18', 'unsafe-path 14:15']);
    expect(report.diagnostics[1].message).toContain("'../cohort-summary.csv' has a '..' segment");
    expect(report.diagnostics[0].pointer).toBe('/collections/0/destination');
  });

  it('checks discussion attendees against the policy roles', async () => {
    const path = join(root, 'requests/dsg-2026-03-summary-statistics.yaml');
    await writeFile(
      path,
      `${await readFile(path, 'utf8')}    discussion:\n      date: 2026-03-20\n      outcome: agreed\n      attendees:\n` +
        '        - {user: alice, role: investigator}\n        - {user: carol, role: refere}\n',
    );
    const io = createCapturedIo(root);
    expect(await runCli(['validate', 'requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(1);
    expect(io.err()).toMatch(
      /summary-statistics\.yaml:22:31: invalid-value: 'refere' is not a role of the policy; did you mean 'referee'\?/,
    );
  });

  it('exits 2 when the trusted configuration is invalid, quoting the email rule', async () => {
    const config = join(root, '.egress/config.yaml');
    await writeFile(config, (await readFile(config, 'utf8')).replace('kind: physical', 'kind: email'));
    const io = createCapturedIo(root);
    expect(await runCli(['validate', 'requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(2);
    expect(io.err()).toMatch(
      /^\.egress\/config\.yaml:\d+:11: email-destination: .*"Under no circumstance should sensitive data be sent via email, even if encrypted\."/m,
    );
  });

  it('exits 2 outside an egress repository', async () => {
    const io = createCapturedIo(tmpdir());
    expect(
      await runCli(
        ['validate', '--repo', join(root, 'outputs'), join(root, 'outputs/report/text/findings.md')],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toContain('missing-config');
  });
});
