// npm run bench: egress-gate's pack + sign + encrypt against `tar cf - … | gpg --encrypt
// --compress-algo none` on the same data, in one run: a big file and a tree of small files.
// Each side runs in its own processes; peak RSS is read per process with /usr/bin/time.
//
// Env: EGRESS_BENCH_BYTES (big file, default 1 GiB), EGRESS_BENCH_FILES (tree, default 20000 × 4 KiB),
//      EGRESS_BENCH_RUNS (best of, default 2).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import * as openpgp from 'openpgp';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bigBytes = Number(process.env.EGRESS_BENCH_BYTES ?? 1 << 30);
const treeFiles = Number(process.env.EGRESS_BENCH_FILES ?? 20_000);
const runs = Number(process.env.EGRESS_BENCH_RUNS ?? 2);
const MiB = 1 << 20;

const worker = path.join(repo, '.bench', 'pack-worker.mjs');
await build({
  entryPoints: [path.join(repo, 'bench', 'pack-worker.ts')],
  outfile: worker,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});

const work = mkdtempSync(path.join(os.tmpdir(), 'egress-bench-'));
const gnupgHome = path.join(work, 'gnupg');
try {
  mkdirSync(gnupgHome, { mode: 0o700 });
  const keys = await makeKeys();
  const datasets = [makeBigFile(bigBytes), makeTree(treeFiles)];
  const rows = [];
  for (const set of datasets) {
    let gpg;
    let gpgSigned;
    let ours;
    for (let i = 0; i < runs; i += 1) {
      gpg = best(gpg, runGpg(set, keys, false));
      gpgSigned = best(gpgSigned, runGpg(set, keys, true));
      ours = best(ours, runOurs(set, keys));
    }
    rows.push({ set, gpg, gpgSigned, ours });
  }
  report(rows);
} finally {
  spawnSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all']);
  rmSync(work, { recursive: true, force: true });
}

async function makeKeys() {
  const recipient = await openpgp.generateKey({
    type: 'ecc',
    userIDs: [{ name: 'Bench Recipient' }],
    format: 'object',
  });
  const signer = await openpgp.generateKey({
    type: 'ecc',
    userIDs: [{ name: 'Bench Signer' }],
    format: 'object',
  });
  const recipientPath = path.join(work, 'recipient.asc');
  const signerPath = path.join(work, 'signer-secret.asc');
  writeFileSync(recipientPath, recipient.publicKey.armor());
  writeFileSync(signerPath, signer.privateKey.armor());
  for (const file of [recipientPath, signerPath]) {
    execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupgHome, '--import', file], {
      stdio: 'ignore',
    });
  }
  return {
    recipientPath,
    signerPath,
    recipientFingerprint: recipient.publicKey.getFingerprint().toUpperCase(),
    signerFingerprint: signer.publicKey.getFingerprint().toUpperCase(),
  };
}

function makeBigFile(bytes) {
  const root = path.join(work, 'big');
  mkdirSync(root);
  const block = randomBytes(MiB);
  const fd = openSync(path.join(root, 'data.bin'), 'w');
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= MiB) {
    const part = block.subarray(0, Math.min(MiB, left));
    writeSync(fd, part);
    hash.update(part);
  }
  closeSync(fd);
  return dataset('1 big file', root, [{ path: 'data.bin', sha256: hash.digest('hex'), size: bytes }]);
}

function makeTree(count) {
  const root = path.join(work, 'tree');
  const files = [];
  for (let i = 0; i < count; i += 1) {
    const dir = `d${String(i % 100).padStart(3, '0')}`;
    if (i < 100) mkdirSync(path.join(root, dir), { recursive: true });
    const content = randomBytes(4096);
    const rel = `${dir}/f${String(i).padStart(6, '0')}.bin`;
    writeFileSync(path.join(root, rel), content);
    files.push({
      path: rel,
      sha256: createHash('sha256').update(content).digest('hex'),
      size: content.length,
    });
  }
  files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  return dataset(`${count} files of 4 KiB`, root, files);
}

function dataset(name, root, files) {
  const receipt = {
    receiptVersion: 1,
    request: { id: 'bench', title: 'Bench', workPackage: 'wp', requester: 'bench' },
    collection: { name: path.basename(root), kind: 'other', destination: 'local' },
    tier: 1,
    classifications: [],
    files,
    excluded: [],
    recipients: [],
    signer: '',
    createdAt: '2026-01-01T00:00:00Z',
  };
  const receiptPath = path.join(work, `${path.basename(root)}-receipt.json`);
  writeFileSync(receiptPath, JSON.stringify(receipt));
  return { name, root, receiptPath, bytes: files.reduce((n, f) => n + f.size, 0) };
}

/** Runs `argv` under /usr/bin/time; returns peak RSS in KiB. */
function timed(label) {
  return ['/usr/bin/time', '-f', '%M', '-o', path.join(work, `${label}.rss`)];
}

function readRss(label) {
  return (
    Number(
      readFileSync(path.join(work, `${label}.rss`), 'utf8')
        .trim()
        .split('\n')
        .pop(),
    ) * 1024
  );
}

function runGpg(set, keys, sign) {
  const out = path.join(work, 'gpg-out.gpg');
  rmSync(out, { force: true });
  const q = (args) => args.map((a) => `'${a}'`).join(' ');
  const tar = [...timed('tar'), 'tar', 'cf', '-', '-C', set.root, '.'];
  const gpg = [
    ...timed('gpg'),
    'gpg',
    '--batch',
    '--quiet',
    '--homedir',
    gnupgHome,
    '--trust-model',
    'always',
    '--compress-algo',
    'none',
    ...(sign ? ['--sign', '--local-user', keys.signerFingerprint] : []),
    '--encrypt',
    '-r',
    keys.recipientFingerprint,
    '-o',
    out,
  ];
  const started = process.hrtime.bigint();
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', `${q(tar)} | ${q(gpg)}`], { stdio: 'inherit' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`tar | gpg failed (${result.status})`);
  return {
    seconds,
    rss: Math.max(readRss('tar'), readRss('gpg')),
    detail: `tar ${mb(readRss('tar'))}, gpg ${mb(readRss('gpg'))}`,
  };
}

function runOurs(set, keys) {
  const outDir = path.join(work, 'ours-out');
  rmSync(outDir, { recursive: true, force: true });
  const jobPath = path.join(work, 'job.json');
  writeFileSync(
    jobPath,
    JSON.stringify({
      receiptPath: set.receiptPath,
      outputsRoot: set.root,
      outDir,
      recipientKeyPath: keys.recipientPath,
      signingKeyPath: keys.signerPath,
    }),
  );
  const started = process.hrtime.bigint();
  const result = spawnSync(
    ...[timed('ours')[0], [...timed('ours').slice(1), process.execPath, worker, jobPath]],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`egress-gate pack failed (${result.status})`);
  return { seconds, rss: readRss('ours'), detail: 'node' };
}

function best(a, b) {
  return a === undefined || b.seconds < a.seconds
    ? { ...b, rss: Math.max(b.rss, a?.rss ?? 0) }
    : { ...a, rss: Math.max(a.rss, b.rss) };
}

function mb(bytes) {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

function report(rows) {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\npack + encrypt, best of ${runs}; throughput = input bytes / wall time; ratio = gpg time / our time ` +
      `(≥ 1.0 is the target). ${os.cpus().length} CPUs, load average ${load} (other work on the machine skews this).\n`,
  );
  for (const { set, gpg, gpgSigned, ours } of rows) {
    const rate = (r) => `${(set.bytes / 1e6 / r.seconds).toFixed(0)} MB/s`;
    const line = (label, r, rss) =>
      console.log(
        `  ${label.padEnd(50)}: ${r.seconds.toFixed(2)} s  ${rate(r).padStart(9)}  peak RSS ${rss}`,
      );
    console.log(`${set.name} (${(set.bytes / 1e6).toFixed(0)} MB)`);
    line('tar | gpg --encrypt --compress-algo none', gpg, gpg.detail);
    line('tar | gpg --sign --encrypt --compress-algo none', gpgSigned, gpgSigned.detail);
    line('egress-gate pack (tar + sign + encrypt)', ours, mb(ours.rss));
    console.log(
      `  ratio vs gpg --encrypt ${(gpg.seconds / ours.seconds).toFixed(2)}, ` +
        `vs gpg --sign --encrypt ${(gpgSigned.seconds / ours.seconds).toFixed(2)}\n`,
    );
  }
}
