import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from './cli-io.js';

describe('egress-gate demo', () => {
  let work: string;
  let report: {
    workspace: string;
    delivered: {
      collection: string;
      location: string;
      receiptPath: string;
      receipt: { package: { file: string } };
    }[];
    verified: { collection: string; recipient: string; outDir: string }[];
  };
  let exitCode: number;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'egress-demo-test-'));
    const io = createCapturedIo(work);
    // --repo names the demo's repository (README: --repo is common to every command).
    exitCode = await runCli(['demo', '--repo', 'demo', '--json'], io);
    report = JSON.parse(io.out());
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('completes and delivers both collections of the case study, each to its own destination', () => {
    expect(exitCode).toBe(0);
    expect(report.delivered.map((d) => [d.collection, d.location.replace(report.workspace, '')])).toEqual([
      ['report-inputs', '/delivered/researcher/dsg-2026-demo-egress'],
      ['data-provider-handover', '/delivered/data-provider/dsg-2026-demo-egress'],
    ]);
  });

  it('opens every package as its recipient, with the original bytes', async () => {
    const opened = report.verified.find((v) => v.collection === 'report-inputs')!;
    expect(opened.recipient).toBe('investigator');
    const original = await readFile(join(report.workspace, 'outputs/report/table-1.csv'), 'utf8');
    const extracted = await readFile(
      join(opened.outDir, 'dsg-2026-demo-egress-report-inputs/files/report/table-1.csv'),
      'utf8',
    );
    expect(extracted).toBe(original);
  });

  it('leaves a delivery receipt that GnuPG verifies and that names the package hash', async () => {
    const gnupgHome = await mkdtemp(join(tmpdir(), 'egress-demo-gpg-'));
    try {
      const gpg = (...args: string[]) =>
        execFileSync('gpg', ['--batch', '--homedir', gnupgHome, ...args], { stdio: 'pipe' });
      gpg('--import', join(report.workspace, '.egress/keys/egress-signing.asc'));
      const delivered = report.delivered[0]!;
      const receiptAtDestination = join(delivered.location, `${delivered.receipt.package.file}.receipt.asc`);
      gpg('--verify', receiptAtDestination);
      const text = await readFile(receiptAtDestination, 'utf8');
      expect(text).toMatch(
        /"package": \{\s*"file": "dsg-2026-demo-egress-report-inputs\.tar\.gpg",\s*"sha256": "[0-9a-f]{64}"/,
      );
      await writeFile(receiptAtDestination, text.replace('"tier": 1', '"tier": 0'));
      expect(() => gpg('--verify', receiptAtDestination)).toThrow();
    } finally {
      await rm(gnupgHome, { recursive: true, force: true });
    }
  });

  it('refuses --out and --repo naming different folders', async () => {
    const io = createCapturedIo(work);
    expect(await runCli(['demo', '--out', 'a', '--repo', 'b'], io)).toBe(2);
    expect(io.err()).toContain('not both');
  });

  it('refuses a workspace that is not empty', async () => {
    const io = createCapturedIo(work);
    expect(await runCli(['demo', '--out', 'demo'], io)).toBe(2);
    expect(io.err()).toMatch(/is not empty; name a new or empty folder/);
  });
});
