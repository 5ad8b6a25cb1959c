// SFTP delivery bench: egress-gate's sftp adapter against OpenSSH's own `sftp` client (batch
// mode, `put`) sending the same file to the same sshd on 127.0.0.1. Ours includes everything a
// delivery does (hash while sending, seam checks, fsync, rename); OpenSSH's `put` does none of that.
//
// `npm run bench` calls the default export with a line logger; `node bench/deliver-sftp.mjs`
// runs it alone. Env: EGRESS_BENCH_SFTP_BYTES (default 1 GiB), EGRESS_BENCH_RUNS (best of, default 2).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;

/** Bundles the adapter and the test fixture (TypeScript) into one module for this process. */
async function loadParts() {
  const outfile = path.join(repo, '.bench', 'deliver-sftp-parts.mjs');
  await build({
    stdin: {
      contents: [
        "export { createSftpDelivery } from './action/src/deliver/sftp.ts';",
        "export { startSshd } from './test/deliver/sshd-fixture.ts';",
      ].join('\n'),
      resolveDir: repo,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    // As in scripts/build.mjs: no native add-ons in the bundle; ssh2's agent module reads __dirname.
    external: ['*.node'],
    define: { __dirname: 'import.meta.dirname' },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return import(pathToFileURL(outfile).href);
}

function makeFile(file, bytes) {
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  const block = randomBytes(4 * MiB);
  for (let written = 0; written < bytes; written += block.length) {
    const part = block.subarray(0, Math.min(block.length, bytes - written));
    hash.update(part);
    writeSync(fd, part);
  }
  closeSync(fd);
  return hash.digest('hex');
}

const best = (a, b) => (a === undefined || b < a ? b : a);
/**
 * Runs a command without blocking this process: sshd (`LogLevel DEBUG1`, `-e`) writes its log to
 * a pipe this process drains; under spawnSync nobody drained it, the pipe filled, sshd's session
 * blocked on a log line and OpenSSH's upload hung for good.
 */
function runAsync(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text) => {
      stderr += text;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const rate = (bytes, seconds) => `${(bytes / seconds / 1e6).toFixed(0)} MB/s`;

export default async function run(log = console.log) {
  const bytes = Number(process.env.EGRESS_BENCH_SFTP_BYTES ?? 1 << 30);
  const runs = Number(process.env.EGRESS_BENCH_RUNS ?? 2);
  const { createSftpDelivery, startSshd } = await loadParts();
  const work = mkdtempSync(path.join(os.tmpdir(), 'egress-bench-sftp-'));
  const sshd = await startSshd();
  try {
    const localPath = path.join(work, 'package.tar.gpg');
    const sha256 = makeFile(localPath, bytes);
    const keyFile = path.join(work, 'client_key');
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    // OpenSSH checks the same pinned host key, through a known_hosts file.
    const hostKey = (await runAsync('ssh-keyscan', ['-p', String(sshd.port), '-t', 'ed25519', '127.0.0.1']))
      .stdout;
    const knownHosts = path.join(work, 'known_hosts');
    writeFileSync(knownHosts, hostKey);
    const batch = path.join(work, 'batch');
    writeFileSync(batch, `put ${localPath} ${sshd.remoteDir}/openssh.bin\n`);

    let openssh;
    let ours;
    let opensshCpu;
    let oursCpu;
    let opensshServerCpu;
    let oursServerCpu;
    for (let i = 0; i < runs; i += 1) {
      rmSync(path.join(sshd.root, 'openssh.bin'), { force: true });
      let server = sshd.sessionCpuSeconds();
      const started = process.hrtime.bigint();
      const result = await runAsync('/usr/bin/time', [
        '-f',
        'cpu %U %S',
        'sftp',
        '-q',
        '-b',
        batch,
        '-i',
        keyFile,
        '-P',
        String(sshd.port),
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        'BatchMode=yes',
        `${sshd.user}@127.0.0.1`,
      ]);
      if (result.status !== 0) throw new Error(`sftp failed: ${result.stderr}`);
      openssh = best(openssh, Number(process.hrtime.bigint() - started) / 1e9);
      const [, user, system] = /cpu ([\d.]+) ([\d.]+)/.exec(result.stderr) ?? [];
      opensshCpu = best(opensshCpu, Number(user) + Number(system));
      await new Promise((resolve) => setTimeout(resolve, 200)); // let sshd reap the session
      opensshServerCpu = best(opensshServerCpu, sshd.sessionCpuSeconds() - server);

      rmSync(path.join(sshd.root, `bench-${i}`), { recursive: true, force: true });
      const delivery = createSftpDelivery(
        {
          kind: 'sftp',
          host: sshd.host,
          port: sshd.port,
          user: sshd.user,
          remoteDir: sshd.remoteDir,
          hostKeyFingerprint: sshd.hostKeyFingerprint,
        },
        { repoRoot: work, secrets: { sftpPrivateKey: sshd.privateKey } },
      );
      server = sshd.sessionCpuSeconds();
      const start = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      try {
        await delivery.deliver(`bench-${i}`, [
          { localPath, remoteName: 'package.tar.gpg', sha256, size: bytes },
        ]);
      } finally {
        await delivery.close();
      }
      ours = best(ours, Number(process.hrtime.bigint() - start) / 1e9);
      const used = process.cpuUsage(cpu);
      oursCpu = best(oursCpu, (used.user + used.system) / 1e6);
      await new Promise((resolve) => setTimeout(resolve, 200)); // let sshd reap the session
      oursServerCpu = best(oursServerCpu, sshd.sessionCpuSeconds() - server);
      rmSync(path.join(sshd.root, `bench-${i}`), { recursive: true, force: true });
    }
    const ratio = openssh / ours;
    log(`sftp delivery of ${(bytes / 1e6).toFixed(0)} MB to sshd on 127.0.0.1 (best of ${runs})`);
    log(
      `  OpenSSH sftp -b put        ${openssh.toFixed(2)} s  ${rate(bytes, openssh)}  client CPU ${opensshCpu.toFixed(2)} s, sshd ${opensshServerCpu.toFixed(2)} s`,
    );
    log(
      `  egress-gate sftp delivery  ${ours.toFixed(2)} s  ${rate(bytes, ours)}  client CPU ${oursCpu.toFixed(2)} s, sshd ${oursServerCpu.toFixed(2)} s  ratio ${ratio.toFixed(2)} (target ≥ 0.9)`,
    );
    return {
      name: 'deliver-sftp',
      bytes,
      opensshSeconds: openssh,
      oursSeconds: ours,
      ratio,
      opensshCpu,
      oursCpu,
      opensshServerCpu,
      oursServerCpu,
    };
  } finally {
    await sshd.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await run();
}
