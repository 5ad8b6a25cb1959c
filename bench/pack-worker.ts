// One `pack` run for bench/run.mjs, in its own process so its peak RSS is measured alone.
import { readFileSync } from 'node:fs';
import { readPublicKeys, readSecretKey } from '../action/src/crypto/keys.js';
import { packCollection } from '../action/src/pack/package-collection.js';
import type { Receipt } from '../action/src/pack/receipt-types.js';

interface WorkerJob {
  receiptPath: string;
  outputsRoot: string;
  outDir: string;
  recipientKeyPath: string;
  signingKeyPath: string;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as WorkerJob;
const receipt = JSON.parse(readFileSync(job.receiptPath, 'utf8')) as Receipt;
const packed = await packCollection({
  receipt,
  outputsRoot: job.outputsRoot,
  outDir: job.outDir,
  encryptionKeys: await readPublicKeys(readFileSync(job.recipientKeyPath, 'utf8'), job.recipientKeyPath),
  signingKey: await readSecretKey(readFileSync(job.signingKeyPath, 'utf8'), job.signingKeyPath),
});
process.stdout.write(`${JSON.stringify({ size: packed.size, archiveBytes: packed.archiveBytes })}\n`);
