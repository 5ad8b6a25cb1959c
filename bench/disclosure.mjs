// The disclosure checks' overhead against pin verification over the same file: a generated CSV
// (default 1 GiB) of an aggregate table, hashed the way `validate` checks a pin, then scanned the
// way `check` and review mode do. Prints both times, the ratio, and the scan's peak heap.
//
// Env: EGRESS_BENCH_DISCLOSURE_BYTES (default 1 GiB), EGRESS_BENCH_RUNS (best of, default 2).
// `npm run bench` calls the default export; `node bench/disclosure.mjs` runs it alone.
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;

async function loadChecks() {
  const entry = path.join(repo, '.bench', 'disclosure-entry.mjs');
  mkdirSync(path.dirname(entry), { recursive: true });
  await build({
    stdin: {
      contents: [
        "export { scanOutputFile } from './action/src/disclosure/scan-file.ts';",
        "export { hashFile } from './action/src/pack/digest.ts';",
        "export { resolveDisclosureRules } from './action/src/policy/disclosure-rules.ts';",
      ].join('\n'),
      resolveDir: repo,
      loader: 'ts',
    },
    outfile: entry,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
  return import(pathToFileURL(entry).href);
}

/** An aggregate table: region × week × age band, counts ≥ 10, a rate, a short label. */
function makeCsv(file, bytes) {
  const fd = openSync(file, 'w');
  const regions = ['North', 'South', 'East', 'West', 'Midlands', 'London'];
  const bands = ['0-15', '16-29', '30-44', '45-64', '65-79', '80+'];
  let written = 0;
  let row = 0;
  const header = 'region,iso_week,age_band,admissions,deaths,rate_per_1000,source\n';
  writeSync(fd, header);
  written += header.length;
  while (written < bytes) {
    const lines = [];
    for (let i = 0; i < 20_000; i += 1, row += 1) {
      const week = `20${20 + ((row >> 12) % 7)}-W${String(1 + (row % 52)).padStart(2, '0')}`;
      lines.push(
        `${regions[row % 6]},${week},${bands[(row >> 3) % 6]},${10 + (row % 990)},${10 + (row % 97)},${(row % 1000) / 10},HES extract v2\n`,
      );
    }
    const chunk = Buffer.from(lines.join(''));
    const part = chunk.subarray(0, Math.min(chunk.length, bytes - written));
    writeSync(fd, part);
    written += part.length;
  }
  closeSync(fd);
}

export default async function run(log = console.log) {
  const bytes = Number(process.env.EGRESS_BENCH_DISCLOSURE_BYTES ?? 1 << 30);
  const runs = Number(process.env.EGRESS_BENCH_RUNS ?? 2);
  const checks = await loadChecks();
  const work = mkdtempSync(path.join(os.tmpdir(), 'egress-bench-disclosure-'));
  try {
    const file = path.join(work, 'table.csv');
    makeCsv(file, bytes);
    const rules = checks.resolveDisclosureRules({
      disclosure: { minCellCount: 10, maxFileBytes: 100 * MiB },
    });
    let pin = Number.POSITIVE_INFINITY;
    let scan = Number.POSITIVE_INFINITY;
    let findings = [];
    let digest = '';
    let heap = 0;
    for (let i = 0; i < runs; i += 1) {
      let t = performance.now();
      digest = (await checks.hashFile(file)).sha256;
      pin = Math.min(pin, performance.now() - t);
      globalThis.gc?.();
      const before = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => {
        heap = Math.max(heap, process.memoryUsage().heapUsed - before);
      }, 50);
      t = performance.now();
      const result = await checks.scanOutputFile(file, 'table.csv', rules);
      scan = Math.min(scan, performance.now() - t);
      clearInterval(sampler);
      findings = result.findings;
      if (result.sha256 !== digest) throw new Error('the scan read different bytes from the pin check');
    }
    const gib = bytes / (1 << 30);
    log(`disclosure checks on a ${(bytes / MiB).toFixed(0)} MiB CSV (best of ${runs}):`);
    log(
      `  pin verification (SHA-256)  ${(pin / 1000).toFixed(2)} s  ${(gib / (pin / 1000)).toFixed(2)} GiB/s`,
    );
    log(
      `  checks, pin alongside       ${(scan / 1000).toFixed(2)} s  ${(gib / (scan / 1000)).toFixed(2)} GiB/s  (${findings.length} findings, heap +${(heap / MiB).toFixed(0)} MiB)`,
    );
    log(
      `  checks + pin / pin alone    ${(scan / pin).toFixed(2)}  (the scan hashes what it reads, so it also verifies the pin; target ≤ 1.20)`,
    );
    return { pinMs: pin, scanMs: scan, ratio: scan / pin, heapBytes: heap };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
