// Azure delivery: egress-gate's azure-blob adapter (staged blocks with per-block MD5, the SHA-256
// checked against the pin, atomic commit, SAS links) against the SDK's best-case `uploadFile`
// (random block ids, no hashing, cannot resume) to the same kind of Azurite, on one package.
// Ours runs in 8 MiB blocks x 8 in flight, MD5 per block and SHA-256 of the whole file.
// Each measurement gets a fresh in-memory Azurite on 127.0.0.1 (it frees blobs only on a
// 10-minute timer), so neither side pays for the other's data.
//
// `npm run bench` calls the default export; `node bench/deliver-azure.mjs` runs it alone.
// Env: EGRESS_BENCH_AZURE_BYTES (default 1 GiB), EGRESS_BENCH_RUNS (best of, default 2).
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;

export default async function run(log = console.log) {
  const bytes = Number(process.env.EGRESS_BENCH_AZURE_BYTES ?? 1 << 30);
  const runs = Number(process.env.EGRESS_BENCH_RUNS ?? 2);
  const { createAzureBlobDelivery, startAzurite } = await loadSources();
  const work = mkdtempSync(path.join(os.tmpdir(), 'egress-bench-azure-'));
  try {
    const file = makePackage(path.join(work, 'bench.tar.gpg'), bytes);
    const sdkDefault = [];
    const sdkTuned = [];
    const ours = [];
    const oursInline = [];
    for (let i = 0; i < runs; i += 1) {
      sdkDefault.push(await withAzurite(startAzurite, (azurite) => uploadFile(azurite, file, {})));
      sdkTuned.push(
        await withAzurite(startAzurite, (azurite) =>
          uploadFile(azurite, file, { blockSize: 8 * MiB, concurrency: 8 }),
        ),
      );
      ours.push(
        await withAzurite(startAzurite, (azurite) => deliverOurs(createAzureBlobDelivery, azurite, file, {})),
      );
      oursInline.push(
        await withAzurite(startAzurite, (azurite) =>
          deliverOurs(createAzureBlobDelivery, azurite, file, { hashing: 'inline' }),
        ),
      );
    }
    const best = (trials) => trials.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const baseline = [best(sdkDefault), best(sdkTuned)].reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const row = (label, trial) =>
      `  ${label.padEnd(48)} ${trial.seconds.toFixed(2).padStart(6)} s ${(bytes / MiB / trial.seconds).toFixed(0).padStart(5)} MiB/s   cpu: client ${trial.clientCpu.toFixed(1)} s, azurite ${trial.serverCpu.toFixed(1)} s`;
    log(
      `Azure delivery of ${(bytes / MiB).toFixed(0)} MiB to Azurite (best of ${runs}; fresh in-memory Azurite each)`,
    );
    log(row('SDK uploadFile, defaults (4 MiB blocks x 5)', best(sdkDefault)));
    log(row('SDK uploadFile, 8 MiB blocks x 8', best(sdkTuned)));
    log(row('egress-gate deliver, hashing on a worker thread', best(ours)));
    log(row('egress-gate deliver, hashing on the event loop', best(oursInline)));
    const ratio = baseline.seconds / best(ours).seconds;
    log(`  ratio (best SDK time / ours): ${ratio.toFixed(2)}  (target >= 0.9)`);
    log(`  load average during the run: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    return { bytes, sdkSeconds: baseline.seconds, oursSeconds: best(ours).seconds, ratio };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function loadSources() {
  const outfile = path.join(repo, '.bench', 'deliver-azure.mjs');
  await build({
    stdin: {
      contents: [
        "export { createAzureBlobDelivery } from './action/src/deliver/azure-blob.ts';",
        "export { startAzurite } from './test/deliver/azurite-fixture.ts';",
      ].join('\n'),
      resolveDir: repo,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

function makePackage(localPath, bytes) {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(16 * MiB);
  const fd = openSync(localPath, 'w');
  try {
    for (let done = 0; done < bytes; done += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - done));
      randomFillSync(part);
      hash.update(part);
      writeSync(fd, part);
    }
  } finally {
    closeSync(fd);
  }
  return { localPath, remoteName: path.basename(localPath), sha256: hash.digest('hex'), size: bytes };
}

/** Wall time, and CPU seconds of this process (all its threads) and of Azurite, for one measurement. */
async function withAzurite(startAzurite, measure) {
  const azurite = await startAzurite();
  try {
    const serverBefore = serverCpu(azurite.pid);
    const clientBefore = process.cpuUsage();
    const seconds = await measure(azurite);
    const client = process.cpuUsage(clientBefore);
    return {
      seconds,
      clientCpu: (client.user + client.system) / 1e6,
      serverCpu: serverCpu(azurite.pid) - serverBefore,
    };
  } finally {
    await azurite[Symbol.asyncDispose]();
  }
}

function serverCpu(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function uploadFile(azurite, file, options) {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    'sdk',
  );
  await container.create();
  const started = process.hrtime.bigint();
  await container.getBlockBlobClient(file.remoteName).uploadFile(file.localPath, options);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function deliverOurs(createAzureBlobDelivery, azurite, file, options) {
  const delivery = createAzureBlobDelivery(
    'bench',
    { kind: 'azure-blob', account: azurite.blobEndpoint, containerPrefix: 'bench', sasExpiryHours: 1 },
    { repoRoot: repo, secrets: { azureConnectionString: azurite.connectionString } },
    options,
  );
  const started = process.hrtime.bigint();
  const result = await delivery.deliver('req', [file]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await delivery.close();
  if (result.alreadyDelivered) throw new Error('bench: a fresh Azurite already held the package');
  return seconds;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await run();
}
