// One `pack` run for bench/run.mjs, in its own process so its peak RSS is measured alone. Prints
// the package size and the per-stage profile as one JSON line.
import { readFileSync } from 'node:fs';
import { readPublicKeys, readSecretKey } from '../action/src/crypto/keys.js';
import { type PackProfile, packCollection } from '../action/src/pack/package-collection.js';
import type { Receipt } from '../action/src/pack/receipt-types.js';

interface WorkerJob {
  receiptPath: string;
  outputsRoot: string;
  outDir: string;
  recipientKeyPath: string;
  signingKeyPath: string;
}

// From the process's start: node itself and loading openpgp.js are part of what a user waits for.
const loadedMs = performance.now();
const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as WorkerJob;
const receipt = JSON.parse(readFileSync(job.receiptPath, 'utf8')) as Receipt;
const encryptionKeys = await readPublicKeys(readFileSync(job.recipientKeyPath, 'utf8'), job.recipientKeyPath);
const signingKey = await readSecretKey(readFileSync(job.signingKeyPath, 'utf8'), job.signingKeyPath);
const keysMs = performance.now() - loadedMs;
let profile: PackProfile | undefined;
const packed = await packCollection({
  receipt,
  outputsRoot: job.outputsRoot,
  outDir: job.outDir,
  encryptionKeys,
  signingKey,
  onProfile: (p) => {
    profile = p;
  },
});
process.stdout.write(
  `${JSON.stringify({ size: packed.size, archiveBytes: packed.archiveBytes, loadedMs, keysMs, profile, rss: process.resourceUsage().maxRSS })}\n`,
);
