import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { signCleartext, verifyCleartext } from '../crypto/sign-text.js';
import { createDelivery } from '../deliver/choose-delivery.js';
import type { RepoConfig } from '../manifest/config-types.js';
import type { Receipt } from '../pack/receipt-types.js';
import { EgressError } from '../shared/errors.js';
import type { PackedPackage } from './pack-request.js';

export interface DeliveredPackage {
  collection: string;
  destination: string;
  location: string;
  /** The signed delivery receipt, beside the package locally and at the destination. */
  receiptPath: string;
  receipt: Receipt;
  alreadyDelivered: boolean;
}

/**
 * Sends each package with its signed delivery receipt (the packing receipt plus the package's
 * hash and where it went) to the collection's destination. Every destination makes the files
 * visible only once complete and verified, and treats an identical re-run as done.
 */
export async function deliverPackages(input: {
  packages: readonly PackedPackage[];
  config: RepoConfig;
  repoRoot: string;
  signingKey: openpgp.PrivateKey;
}): Promise<DeliveredPackage[]> {
  const delivered: DeliveredPackage[] = [];
  for (const { collection, receipt, package: packed } of input.packages) {
    const name = receipt.collection.destination;
    const destination = input.config.destinations[name];
    if (!destination) {
      throw new EgressError(
        'CONFIG',
        `collection '${collection}' names destination '${name}', which is not configured`,
      );
    }
    const delivery = createDelivery(name, destination, { repoRoot: input.repoRoot, secrets: {} });
    const folder = receipt.request.id;
    const location = `${name}:${folder}/${packed.file}`;
    const deliveryReceipt: Receipt = {
      ...receipt,
      package: { file: packed.file, sha256: packed.sha256, size: packed.size },
      destination: { name, kind: destination.kind, location },
    };
    const text = `${JSON.stringify(deliveryReceipt, null, 2)}\n`;
    const receiptPath = join(packed.path, '..', `${packed.file}.receipt.asc`);
    const signed =
      (await reusableReceipt(receiptPath, text, input.signingKey)) ??
      (await signCleartext(text, input.signingKey));
    await writeFile(receiptPath, signed);
    const receiptFile = {
      localPath: receiptPath,
      remoteName: `${packed.file}.receipt.asc`,
      sha256: createHash('sha256').update(signed).digest('hex'),
      size: (await stat(receiptPath)).size,
    };
    const result = await delivery.deliver(folder, [
      { localPath: packed.path, remoteName: packed.file, sha256: packed.sha256, size: packed.size },
      receiptFile,
    ]);
    delivered.push({
      collection,
      destination: name,
      location: result.location,
      receiptPath,
      receipt: deliveryReceipt,
      alreadyDelivered: result.alreadyDelivered,
    });
  }
  return delivered;
}

/**
 * The receipt a previous run signed for this very package, when it still verifies and says the
 * same: signatures are salted, so signing again would give other bytes and make a re-run look
 * like a different delivery.
 */
async function reusableReceipt(
  path: string,
  text: string,
  signingKey: openpgp.PrivateKey,
): Promise<string | undefined> {
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === undefined) return undefined;
  const signedText = await verifyCleartext(existing, [signingKey.toPublic()]).catch(() => undefined);
  return signedText?.trimEnd() === text.trimEnd() ? existing : undefined;
}
