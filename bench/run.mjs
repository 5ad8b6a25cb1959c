// npm run bench: egress-gate against `tar cf - … | gpg [--sign] --encrypt --compress-algo none` on
// the same data, in one run:
//   1. the inner pipeline (packCollection alone, in its own process): a big file and a tree of
//      small files, ratios against both gpg commands, peak RSS, and a profile line per stage;
//   2. memory at a second, bigger size (8 GiB, a sparse file: reads cost nothing, the rest is real);
//   3. whole CLI commands as a user runs them, on a locked request: `egress-gate lock`,
//      `validate` and `evaluate` (against `sha256sum -c` on the same files) and `pack` (against
//      tar | gpg), each bundled as scripts/build.mjs bundles it;
//   4. every bench/deliver-*.mjs and bench/disclosure*.mjs module (default export run(log)).
// Peak RSS is read per process with /usr/bin/time. Data goes under the system temporary folder.
//
// Env: EGRESS_BENCH_BYTES (big file, default 1 GiB), EGRESS_BENCH_FILES (tree, default 20000 × 4 KiB;
//      0 skips either),
//      EGRESS_BENCH_RUNS (best of, default 2), EGRESS_BENCH_BIG_BYTES (memory check, default 8 GiB,
//      0 skips it), EGRESS_BENCH_CLI_FILES (files in the CLI request, default 20000, 0 skips it),
//      EGRESS_BENCH_MODULES (which of part 4 to run: comma-separated names such as
//      `disclosure,deliver-sftp`, or `none`; default all).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import * as openpgp from 'openpgp';
import { buildCli } from '../scripts/bundle.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bigBytes = Number(process.env.EGRESS_BENCH_BYTES ?? 1 << 30);
const treeFiles = Number(process.env.EGRESS_BENCH_FILES ?? 20_000);
const runs = Number(process.env.EGRESS_BENCH_RUNS ?? 2);
const hugeBytes = Number(process.env.EGRESS_BENCH_BIG_BYTES ?? 8 * 2 ** 30);
const cliFiles = Number(process.env.EGRESS_BENCH_CLI_FILES ?? 20_000);
const chosenModules = process.env.EGRESS_BENCH_MODULES?.split(',').map((name) => name.trim());
const MiB = 1 << 20;
const started = performance.now();

const bundleOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  loader: { '.yaml': 'text' },
  // As in scripts/build.mjs: ssh2's optional native add-ons stay outside, and its agent reads __dirname.
  external: ['*.node'],
  define: { __dirname: 'import.meta.dirname' },
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};
const worker = path.join(repo, '.bench', 'pack-worker.mjs');
const cli = path.join(repo, '.bench', 'cli', 'cli.js');
await build({ ...bundleOptions, entryPoints: [path.join(repo, 'bench', 'pack-worker.ts')], outfile: worker });
// The CLI is bundled as scripts/build.mjs bundles it (precompiled schemas, a chunk per command).
await buildCli(path.dirname(cli));

const work = mkdtempSync(path.join(os.tmpdir(), 'egress-bench-'));
const gnupgHome = path.join(work, 'gnupg');
try {
  mkdirSync(gnupgHome, { mode: 0o700 });
  const keys = await makeKeys();
  header();
  // 1. The inner pipeline.
  // 0 skips either set, for quicker runs of the other parts.
  const sets = [bigBytes > 0 && makeBigFile(bigBytes), treeFiles > 0 && makeTree(treeFiles)];
  for (const set of sets.filter(Boolean)) {
    let gpg;
    let gpgSigned;
    let ours;
    for (let i = 0; i < runs; i += 1) {
      gpg = best(gpg, runGpg(set.root, keys, false));
      gpgSigned = best(gpgSigned, runGpg(set.root, keys, true));
      ours = best(ours, runOurs(set, keys));
    }
    reportPipeline(set, gpg, gpgSigned, ours);
    rmSync(set.root, { recursive: true, force: true });
  }
  // 2. Memory flat in the size of the data.
  if (hugeBytes > 0) {
    const set = makeSparseFile(hugeBytes);
    const ours = runOurs(set, keys);
    console.log(`${set.name} (sparse: reading is free; hashing, encryption and writing are real)`);
    line('egress-gate pack (inner pipeline)', ours, set.bytes, mb(ours.rss));
    profileLines(ours);
    console.log('');
    rmSync(set.root, { recursive: true, force: true });
  }
  // 3. Whole commands.
  // A manifest of 20,000 locked files may exceed validate's size limit until large outputs keep
  // their pins in a sidecar; then the 5,000 files are timed instead.
  if (cliFiles > 0 && runCommands(keys, cliFiles) === 'too-large' && cliFiles > 5000) runCommands(keys, 5000);
  // 4. Other helpers' benches.
  await runOtherBenches();
  console.log(`bench finished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  spawnSync('gpgconf', ['--homedir', gnupgHome, '--kill', 'all']);
  if (process.env.EGRESS_BENCH_KEEP) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

async function makeKeys() {
  const make = (name) => openpgp.generateKey({ type: 'ecc', userIDs: [{ name }], format: 'object' });
  const [recipient, signer] = await Promise.all([make('Bench Recipient'), make('Bench Signer')]);
  const recipientPath = path.join(work, 'recipient.asc');
  const signerPath = path.join(work, 'signer-secret.asc');
  const signerPublicPath = path.join(work, 'signer.asc');
  writeFileSync(recipientPath, recipient.publicKey.armor());
  writeFileSync(signerPath, signer.privateKey.armor());
  writeFileSync(signerPublicPath, signer.publicKey.armor());
  for (const file of [recipientPath, signerPath]) {
    execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupgHome, '--import', file], {
      stdio: 'ignore',
    });
  }
  return {
    recipientPath,
    signerPath,
    signerPublicPath,
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
  return dataset(`1 file of ${gib(bytes)}`, root, [
    { path: 'data.bin', sha256: hash.digest('hex'), size: bytes },
  ]);
}

function makeSparseFile(bytes) {
  const root = path.join(work, 'huge');
  mkdirSync(root);
  const fd = openSync(path.join(root, 'zeros.bin'), 'w');
  ftruncateSync(fd, bytes);
  closeSync(fd);
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(MiB);
  for (let left = bytes; left > 0; left -= MiB) hash.update(zeros.subarray(0, Math.min(MiB, left)));
  return dataset(`1 file of ${gib(bytes)}`, root, [
    { path: 'zeros.bin', sha256: hash.digest('hex'), size: bytes },
  ]);
}

/** `count` files of 4 KiB in 100 folders, under `root`; returns their pins, sorted. */
function writeTree(root, count) {
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
  return files.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

function makeTree(count) {
  const root = path.join(work, 'tree');
  return dataset(`${count} files of 4 KiB`, root, writeTree(root, count));
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

/** Runs a shell pipeline of argv lists, each under /usr/bin/time; seconds and per-stage RSS. */
function runPipeline(stages, cwd) {
  const q = (args) => args.map((a) => `'${a}'`).join(' ');
  const command = stages.map(([label, argv]) => q([...timed(label), ...argv])).join(' | ');
  const t = process.hrtime.bigint();
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr}`);
  const rss = stages.map(([label]) => readRss(label));
  return {
    seconds,
    rss: Math.max(...rss),
    detail: stages.map(([label], i) => `${label} ${mb(rss[i])}`).join(', '),
  };
}

function gpgArgs(keys, sign, out) {
  return [
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
    '--yes',
    '-o',
    out,
  ];
}

function runGpg(root, keys, sign) {
  const out = path.join(work, 'gpg-out.gpg');
  rmSync(out, { force: true });
  const result = runPipeline([
    ['tar', ['tar', 'cf', '-', '-C', root, '.']],
    ['gpg', gpgArgs(keys, sign, out)],
  ]);
  // Removed at once, as ours is: every run then starts with the pages the previous one freed
  // (writing a new file costs 0.3–1.2 s of kernel time per GiB here, depending on free memory).
  rmSync(out, { force: true });
  return result;
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
  const t = process.hrtime.bigint();
  const result = spawnSync(timed('ours')[0], [...timed('ours').slice(1), process.execPath, worker, jobPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  if (result.status !== 0) throw new Error(`egress-gate pack failed (${result.status})`);
  rmSync(outDir, { recursive: true, force: true });
  const report = JSON.parse(result.stdout.toString().trim().split('\n').pop());
  return { seconds, rss: readRss('ours'), detail: 'node', report };
}

function best(a, b) {
  return a === undefined || b.seconds < a.seconds
    ? { ...b, rss: Math.max(b.rss, a?.rss ?? 0) }
    : { ...a, rss: Math.max(a.rss, b.rss) };
}

function mb(bytes) {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

function gib(bytes) {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(0)} GiB` : `${(bytes / MiB).toFixed(0)} MiB`;
}

function header() {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  console.log(
    `\nbest of ${runs}; ratio = gpg time / our time (≥ 1.0: faster than gpg). ${os.cpus().length} CPUs, ` +
      `load average ${load} (other work on the machine skews every number), node ${process.version}.\n`,
  );
}

function line(label, r, bytes, rss) {
  const rate = bytes ? `${(bytes / 1e6 / r.seconds).toFixed(0)} MB/s` : '';
  console.log(
    `  ${label.padEnd(52)}: ${r.seconds.toFixed(2).padStart(6)} s ${rate.padStart(9)}  peak RSS ${rss}`,
  );
}

function reportPipeline(set, gpg, gpgSigned, ours) {
  console.log(`${set.name} (${(set.bytes / 1e6).toFixed(0)} MB), inner pipeline`);
  line('tar | gpg --encrypt --compress-algo none', gpg, set.bytes, gpg.detail);
  line('tar | gpg --sign --encrypt --compress-algo none', gpgSigned, set.bytes, gpgSigned.detail);
  line('egress-gate pack (tar + signed SHA256SUMS + encrypt)', ours, set.bytes, mb(ours.rss));
  console.log(
    `  ratio vs gpg --encrypt ${(gpg.seconds / ours.seconds).toFixed(2)}, ` +
      `vs gpg --sign --encrypt ${(gpgSigned.seconds / ours.seconds).toFixed(2)}`,
  );
  profileLines(ours);
  console.log('');
}

/** One line per stage, from the best run (stages on the two threads overlap). */
function profileLines(ours) {
  const { loadedMs, keysMs, profile } = ours.report;
  const stages = {
    'start node, load the bundle (openpgp.js)': loadedMs,
    'read the keys': keysMs,
    ...profile.stages,
  };
  console.log(`  profile (${profile.encryption}; wall ${ours.seconds.toFixed(2)} s):`);
  for (const [name, ms] of Object.entries(stages)) {
    console.log(`    ${name.padEnd(56)} ${(ms / 1000).toFixed(3).padStart(7)} s`);
  }
}

/** The example repository with throwaway keys and a request for `count` small files. */
function makeCommandRepo(keys, count) {
  const root = path.join(work, 'repo');
  rmSync(root, { recursive: true, force: true });
  cpSync(path.join(repo, 'examples'), root, { recursive: true });
  const keyDir = path.join(root, '.egress/keys');
  for (const name of ['investigator.asc', 'data-provider.asc'])
    cpSync(keys.recipientPath, path.join(keyDir, name));
  cpSync(keys.signerPublicPath, path.join(keyDir, 'egress-signing.asc'));
  rmSync(path.join(root, 'requests'), { recursive: true });
  mkdirSync(path.join(root, 'requests'));
  writeFileSync(
    path.join(root, 'requests/bench-tree.yaml'),
    [
      'id: bench-tree',
      'workPackage: dsg-2026-03',
      'title: Many small outputs',
      'purpose: Bench the whole commands on many small files.',
      'requester: erin',
      'collections:',
      '  - name: tree',
      '    kind: report',
      '    description: Small files in 100 folders.',
      '    destination: provider-disk',
      '    items:',
      '      - path: bench',
      '',
    ].join('\n'),
  );
  const files = writeTree(path.join(root, 'outputs/bench'), count);
  writeFileSync(
    path.join(root, 'SHA256SUMS'),
    files.map((f) => `${f.sha256}  outputs/bench/${f.path}`).join('\n') + '\n',
  );
  const head = 'abcdef0123456789abcdef0123456789abcdef01';
  const review = (user) =>
    `  - user: ${user}\n    state: APPROVED\n    commit: ${head}\n    body: |\n      tier: 1\n`;
  writeFileSync(
    path.join(root, 'reviews.yaml'),
    `author: erin\nhead: ${head}\nmerger: dora\nreviews:\n${['alice', 'bob', 'carol'].map(review).join('')}`,
  );
  return root;
}

function runCli(label, args, cwd) {
  const t = process.hrtime.bigint();
  const result = spawnSync(timed(label)[0], [...timed(label).slice(1), process.execPath, cli, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const said = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(0, 4).join(' | ');
  return { seconds, rss: readRss(label), status: result.status, said };
}

function runCommands(keys, count) {
  const root = makeCommandRepo(keys, count);
  console.log(`Whole commands on a request of ${count} files of 4 KiB (one directory item), best of ${runs}`);
  const locked = runCli('lock', ['lock', 'requests/bench-tree.yaml'], root);
  if (locked.status !== 0) {
    console.log(`  egress-gate lock failed (exit ${locked.status}): ${locked.said}\n`);
    return;
  }
  line('egress-gate lock', locked, count * 4096, mb(locked.rss));
  let sums;
  let validate;
  let evaluate;
  let gpgSigned;
  let pack;
  for (let i = 0; i < runs; i += 1) {
    sums = best(sums, runPipeline([['sha256sum', ['sha256sum', '--quiet', '-c', 'SHA256SUMS']]], root));
    const v = runCli('validate', ['validate', 'requests/bench-tree.yaml'], root);
    if (v.status !== 0) {
      console.log(`  egress-gate validate failed (exit ${v.status}): ${v.said}\n`);
      return v.said.includes('too-large') ? 'too-large' : 'failed';
    }
    validate = best(validate, v);
    // evaluate: the same pins, then the disclosure checks over the files, then the policy.
    const e = runCli('evaluate', ['evaluate', 'requests/bench-tree.yaml', '--reviews', 'reviews.yaml'], root);
    if (e.status !== 0) {
      console.log(`  egress-gate evaluate failed (exit ${e.status}): ${e.said}\n`);
      return 'failed';
    }
    evaluate = best(evaluate, e);
    const out = path.join(work, 'gpg-cli.gpg');
    gpgSigned = best(
      gpgSigned,
      runPipeline(
        [
          ['tar', ['tar', 'cf', '-', '-C', path.join(root, 'outputs'), 'bench']],
          ['gpg', gpgArgs(keys, true, out)],
        ],
        root,
      ),
    );
    const packOut = path.join(work, 'cli-packages');
    rmSync(packOut, { recursive: true, force: true });
    const args = ['pack', 'requests/bench-tree.yaml', '--reviews', 'reviews.yaml', '--out', packOut];
    const p = runCli('pack', [...args, '--signing-key', keys.signerPath], root);
    if (p.status !== 0) {
      console.log(`  egress-gate pack failed (exit ${p.status}): ${p.said}\n`);
      return;
    }
    pack = best(pack, p);
  }
  line('sha256sum -c (the same files)', sums, count * 4096, sums.detail);
  line('egress-gate validate', validate, count * 4096, mb(validate.rss));
  line('egress-gate evaluate (pins + disclosure checks)', evaluate, count * 4096, mb(evaluate.rss));
  line('tar | gpg --sign --encrypt --compress-algo none', gpgSigned, count * 4096, gpgSigned.detail);
  line('egress-gate pack', pack, count * 4096, mb(pack.rss));
  console.log(
    `  ratio validate vs sha256sum -c ${(sums.seconds / validate.seconds).toFixed(2)}, ` +
      `evaluate vs sha256sum -c ${(sums.seconds / evaluate.seconds).toFixed(2)}, ` +
      `pack vs tar | gpg --sign --encrypt ${(gpgSigned.seconds / pack.seconds).toFixed(2)}\n`,
  );
  return 'done';
}

async function runOtherBenches() {
  const names = readdirSync(path.join(repo, 'bench'))
    .filter((n) => /^(deliver-.*|disclosure.*)\.mjs$/.test(n))
    .filter((n) => chosenModules === undefined || chosenModules.includes(n.replace(/\.mjs$/, '')))
    .sort();
  for (const name of names) {
    console.log(`bench/${name}`);
    try {
      const module = await import(pathToFileURL(path.join(repo, 'bench', name)).href);
      await module.default((text) => console.log(`  ${text}`));
    } catch (error) {
      console.log(`  failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log('');
  }
}
