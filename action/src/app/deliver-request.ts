import { createHash } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { signCleartext, verifyCleartext } from '../crypto/sign-text.js';
import {
  type CreateDelivery,
  type Custody,
  type Delivery,
  type DeliveryContext,
  type DeliveryResult,
  pendingReceiptNameOf,
} from '../deliver/delivery.js';
import type { RepoConfig } from '../manifest/config-types.js';
import { nameCollectionPackage } from '../pack/package-collection.js';
import type { Receipt, ReceiptFile } from '../pack/receipt-types.js';
import { EgressError } from '../shared/errors.js';
import type { PackedPackage } from './pack-request.js';
import { sealAccessLinks } from './seal-access-links.js';

export interface DeliveredPackage {
  collection: string;
  destination: string;
  location: string;
  /** The signed delivery receipt, beside the package locally and at the destination. */
  receiptPath: string;
  receipt: Receipt;
  alreadyDelivered: boolean;
  /**
   * The recipients' access links (Azure SAS URLs), as one armored OpenPGP message encrypted to
   * the package's recipients: safe to post, readable only by them. Absent when the destination
   * hands out no links.
   */
  sealedAccess?: string;
  custody?: Custody;
}

/** Signed receipts are small; anything bigger at the destination is not one of ours. */
export const maxReceiptBytes = 1024 * 1024;

export function receiptNameOf(packageFile: string): string {
  return `${packageFile}.receipt.asc`;
}

/**
 * Sends each package with its signed delivery receipt (the packing receipt plus the package's
 * hash and where it went) to the collection's destination, through the injected adapter. Every
 * destination makes the files visible only once complete and verified, and treats an identical
 * re-run as done. The receipt goes first under its pending name, then the package, then the
 * receipt under its final name: a receipt at the destination always means the package beside it
 * is complete, and a run killed in between leaves what the next one needs to finish.
 */
export async function deliverPackages(input: {
  packages: readonly PackedPackage[];
  config: RepoConfig;
  signingKey: openpgp.PrivateKey;
  createDelivery: CreateDelivery;
  context: DeliveryContext;
  /** Public keys by fingerprint, to seal access links to the package's recipients. */
  recipientKeys?: ReadonlyMap<string, openpgp.PublicKey>;
  onProgress?: (collection: string, sentBytes: number, totalBytes: number) => void;
  /** Called with every secret link before anything else sees it, so it can be masked. */
  onSecret?: (secret: string) => void;
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
    const folder = receipt.request.id;
    const now = (input.context.now ?? (() => new Date()))();
    const location = describeLocation(name, destination, folder, packed.file);
    const deliveryReceipt: Receipt = {
      ...receipt,
      package: { file: packed.file, sha256: packed.sha256, size: packed.size },
      destination: {
        name,
        kind: destination.kind,
        location,
        // Signed before the files go, so it says what this run is about to do.
        ...(destination.kind === 'physical'
          ? {
              custody: {
                by: input.context.actor ?? 'unknown',
                at: now.toISOString(),
                deviceLabel: destination.deviceLabel ?? destination.path,
              },
            }
          : {}),
        ...(destination.kind === 'azure-blob'
          ? { expiresAt: new Date(now.getTime() + destination.sasExpiryHours * 3_600_000).toISOString() }
          : {}),
      },
    };
    const text = `${JSON.stringify(deliveryReceipt, null, 2)}\n`;
    const receiptPath = join(packed.path, '..', receiptNameOf(packed.file));
    const signed =
      (await reusableReceipt(receiptPath, text, input.signingKey)) ??
      (await signCleartext(text, input.signingKey));
    await writeFile(receiptPath, signed);
    const receiptFile = {
      localPath: receiptPath,
      remoteName: receiptNameOf(packed.file),
      sha256: createHash('sha256').update(signed).digest('hex'),
      size: (await stat(receiptPath)).size,
    };
    const delivery = input.createDelivery(name, destination, input.context);
    try {
      const pkg = { remoteName: packed.file, sha256: packed.sha256, size: packed.size };
      // The receipt first under its pending name, so a run killed after the package leaves it provably ours.
      const pendingName = pendingReceiptNameOf(packed.file);
      await clearStalePending(delivery, folder, packed.file, signed, input.signingKey);
      // Judged before anything is written, so a refusal leaves no pending receipt behind.
      const receiptHeld = await delivery.holds(folder, receiptFile);
      const packageHeld = await delivery.holds(folder, pkg);
      if (receiptHeld === 'different') {
        throw new EgressError(
          'DELIVERY',
          `${folder}/${receiptFile.remoteName} already exists with different content; a delivered request is never overwritten, and nothing was sent`,
        );
      }
      if (packageHeld === 'different') {
        if (receiptHeld === 'absent') throw packageWithoutReceipt(folder, packed.file);
        throw new EgressError(
          'DELIVERY',
          `${folder}/${packed.file} already exists with different content (its receipt is there too); a delivered request is never overwritten, and nothing was sent`,
        );
      }
      const again = receiptHeld === 'same' && packageHeld === 'same';
      if (!again) await delivery.deliver(folder, [{ ...receiptFile, remoteName: pendingName }]);
      const total = packed.size + receiptFile.size;
      const result = await delivery.deliver(
        folder,
        [{ localPath: packed.path, ...pkg }, receiptFile],
        (file, sent) =>
          input.onProgress?.(collection, file === packed.file ? sent : packed.size + sent, total),
      );
      if (!again) await delivery.removePending(folder, pendingName);
      delivered.push(
        await describeDelivered(result, {
          collection,
          destination: name,
          receiptPath,
          receipt: deliveryReceipt,
          signingKey: input.signingKey,
          ...(input.recipientKeys ? { recipientKeys: input.recipientKeys } : {}),
          ...(input.onSecret ? { onSecret: input.onSecret } : {}),
        }),
      );
    } finally {
      await delivery.close();
    }
  }
  return delivered;
}

interface DeliveredFacts {
  collection: string;
  destination: string;
  receiptPath: string;
  /** The delivery receipt: the packing receipt plus the package and where it went. */
  receipt: Receipt;
  signingKey: openpgp.PrivateKey;
  recipientKeys?: ReadonlyMap<string, openpgp.PublicKey>;
  onSecret?: (secret: string) => void;
}

/** What a delivery reports, its access links sealed to the package's recipients. */
async function describeDelivered(result: DeliveryResult, facts: DeliveredFacts): Promise<DeliveredPackage> {
  const { collection, receipt } = facts;
  const links = result.accessUrls ?? [];
  for (const link of links) {
    facts.onSecret?.(link.url);
    const query = link.url.indexOf('?');
    if (query >= 0) facts.onSecret?.(link.url.slice(query + 1));
  }
  const keys = receipt.recipients
    .map((fp) => facts.recipientKeys?.get(fp))
    .filter((k): k is openpgp.PublicKey => k !== undefined);
  if (links.length > 0 && keys.length !== receipt.recipients.length) {
    throw new EgressError(
      'CONFIG',
      `the access links for '${collection}' must be encrypted to its recipients, but not every recipient key was found under the configuration's keys`,
    );
  }
  return {
    collection,
    destination: facts.destination,
    location: result.location,
    receiptPath: facts.receiptPath,
    receipt,
    alreadyDelivered: result.alreadyDelivered,
    ...(links.length > 0
      ? {
          sealedAccess: await sealAccessLinks({
            request: receipt.request.id,
            collection,
            links,
            keys,
            signingKey: facts.signingKey,
          }),
        }
      : {}),
    ...(result.custody ? { custody: result.custody } : {}),
  };
}

/** Whether anything is under the name, asked without reading it (no file has size -1). */
async function isPresent(delivery: Delivery, folder: string, remoteName: string): Promise<boolean> {
  return (await delivery.holds(folder, { remoteName, sha256: '', size: -1 })) !== 'absent';
}

function packageWithoutReceipt(folder: string, packageFile: string): EgressError {
  return new EgressError(
    'DELIVERY',
    `${folder}/${packageFile} is already at the destination without a receipt (left by an earlier egress-gate that stopped before its receipt, or written by someone else); a delivered request is never overwritten, and nothing was sent. Remove that file at the destination and re-run.`,
  );
}

/** Where the recipient finds the package, in words without any secret (no SAS token). */
function describeLocation(
  name: string,
  destination: RepoConfig['destinations'][string],
  folder: string,
  file: string,
): string {
  switch (destination.kind) {
    case 'sftp':
      return `sftp://${destination.user}@${destination.host}:${destination.port}${destination.remoteDir.replace(/\/+$/, '')}/${folder}/${file}`;
    case 'azure-blob':
      return `${destination.account.replace(/\/+$/, '')} container ${destination.containerPrefix}-${folder}, blob ${file}`;
    case 'physical':
      return `${name}:${folder}/${file}`;
  }
}

/** What a previous delivery's receipt must say for a collection to count as delivered. */
export interface ExpectedDelivery {
  request: string;
  collection: string;
  files: ReceiptFile[];
}

export type ExistingDelivery =
  | { state: 'absent' }
  | { state: 'delivered'; receipt: Receipt; signed: string }
  /** The package is complete at the destination, its receipt only under the pending name. */
  | { state: 'interrupted'; receipt: Receipt; signed: string }
  | { state: 'conflict'; reason: string };

/**
 * Looks for the signed receipt of an earlier delivery of this collection at its destination. A
 * re-run is judged by what the receipt says (request, collection, every file's path, hash and
 * size), never by ciphertext bytes, which differ every time a package is made. A receipt that
 * is not signed by the egress signing key, or that says something else, is a conflict: nothing
 * is delivered over it.
 */
export async function findExistingDelivery(
  delivery: Delivery,
  expected: ExpectedDelivery,
  signingKey: openpgp.PrivateKey,
): Promise<ExistingDelivery> {
  const names = { request: { id: expected.request }, collection: { name: expected.collection } };
  const packageFile = `${nameCollectionPackage(names as Pick<Receipt, 'request' | 'collection'>)}.tar.gpg`;
  const final = await judgeReceipt(delivery, expected, receiptNameOf(packageFile), signingKey);
  if (final.state !== 'absent') return final;
  // No receipt: did an earlier run stop after sending the package? Its pending receipt says so.
  const pending = await judgeReceipt(delivery, expected, pendingReceiptNameOf(packageFile), signingKey);
  if (pending.state === 'absent' && (await isPresent(delivery, expected.request, packageFile))) {
    // Refused now, before anything is packed or sent (an earlier egress-gate sent no pending receipt).
    return { state: 'conflict', reason: packageWithoutReceipt(expected.request, packageFile).message };
  }
  if (pending.state !== 'delivered') return pending;
  const pinned = pending.receipt.package;
  const held =
    pinned?.file === packageFile
      ? await delivery.holds(expected.request, {
          remoteName: packageFile,
          sha256: pinned.sha256,
          size: pinned.size,
        })
      : 'different';
  if (held === 'same') return { state: 'interrupted', receipt: pending.receipt, signed: pending.signed };
  // It stopped before the package arrived: nothing was delivered, and the pending receipt is replaced.
  if (held === 'absent') return { state: 'absent' };
  return {
    state: 'conflict',
    reason: `${expected.request}/${packageFile} at the destination is not the package its pending receipt describes; both were left as they are. Two release runs of this request overlapped, or someone else wrote the package: if no other release of it is running and the package is not a delivery of its own, remove both files at the destination and re-run.`,
  };
}

/**
 * Finishes a delivery whose package arrived but whose receipt did not: the receipt the earlier run
 * signed goes under its final name (the package's hash is in it; `findExistingDelivery` has just
 * checked the package), and the pending copy goes. A destination that hands out access links makes
 * them now: the killed run posted none.
 */
export async function completeInterruptedDelivery(
  delivery: Delivery,
  signed: string,
  facts: DeliveredFacts,
): Promise<DeliveredPackage> {
  const folder = facts.receipt.request.id;
  const pkg = facts.receipt.package;
  if (!pkg) throw new EgressError('INTERNAL', 'an interrupted delivery without its package named');
  await writeFile(facts.receiptPath, signed);
  const receiptName = receiptNameOf(pkg.file);
  const result = await delivery.deliver(folder, [
    {
      localPath: facts.receiptPath,
      remoteName: receiptName,
      sha256: createHash('sha256').update(signed).digest('hex'),
      size: Buffer.byteLength(signed),
    },
  ]);
  await delivery.removePending(folder, pendingReceiptNameOf(pkg.file));
  const links = await delivery.accessLinks?.(folder, [pkg.file, receiptName]);
  return describeDelivered({ ...result, ...(links ? { accessUrls: links } : {}) }, facts);
}

/** A run killed after the final receipt but before removing the pending copy: it goes now. */
export async function removeLeftoverPending(
  delivery: Delivery,
  folder: string,
  packageFile: string,
  signed: string,
): Promise<void> {
  const name = pendingReceiptNameOf(packageFile);
  if ((await delivery.readExisting(folder, name, maxReceiptBytes)) === signed) {
    await delivery.removePending(folder, name);
  }
}

/**
 * A pending receipt left by a run that stopped before its package arrived describes nothing that
 * was delivered: it is removed. One beside its complete package is an interrupted delivery, which
 * the release completes instead; one not signed by this key is someone else's and stays.
 */
async function clearStalePending(
  delivery: Delivery,
  folder: string,
  packageFile: string,
  signed: string,
  signingKey: openpgp.PrivateKey,
): Promise<void> {
  const name = pendingReceiptNameOf(packageFile);
  const text = await delivery.readExisting(folder, name, maxReceiptBytes);
  if (text === undefined || text === signed) return;
  const signedText = await verifyCleartext(text, [signingKey.toPublic()]).catch(() => undefined);
  let pinned: Receipt['package'];
  try {
    pinned = signedText === undefined ? undefined : (JSON.parse(signedText) as Receipt).package;
  } catch {
    pinned = undefined;
  }
  if (!pinned) {
    throw new EgressError(
      'DELIVERY',
      `${folder}/${name} is at the destination but is not a pending receipt signed by this egress signing key; it was left as it is. Find out who wrote it before delivering this request.`,
    );
  }
  const held = await delivery.holds(folder, {
    remoteName: packageFile,
    sha256: pinned.sha256,
    size: pinned.size,
  });
  if (held === 'same') {
    throw new EgressError(
      'DELIVERY',
      `${folder}/${packageFile} is at the destination with a pending receipt but no receipt: an earlier delivery was interrupted. Run the release again; it completes that delivery.`,
    );
  }
  // Absent: remove it. Another package under the name: deliverPackages refuses it next.
  if (held === 'absent') await delivery.removePending(folder, name);
}

/** A signed receipt at the destination, judged by what it says. */
async function judgeReceipt(
  delivery: Delivery,
  expected: ExpectedDelivery,
  file: string,
  signingKey: openpgp.PrivateKey,
): Promise<Exclude<ExistingDelivery, { state: 'interrupted' }>> {
  const text = await delivery.readExisting(expected.request, file, maxReceiptBytes);
  if (text === undefined) return { state: 'absent' };
  let signedText: string;
  try {
    signedText = await verifyCleartext(text, [signingKey.toPublic()]);
  } catch {
    return {
      state: 'conflict',
      reason: `${expected.request}/${file} is already at the destination but is not signed by this egress signing key; it was left as it is. Find out who wrote it before delivering this request.`,
    };
  }
  let receipt: Receipt;
  try {
    receipt = JSON.parse(signedText) as Receipt;
  } catch {
    return { state: 'conflict', reason: `${expected.request}/${file} at the destination is not a receipt.` };
  }
  const same =
    receipt.request?.id === expected.request &&
    receipt.collection?.name === expected.collection &&
    sameFiles(receipt.files ?? [], expected.files);
  if (!same) {
    return {
      state: 'conflict',
      reason: `${expected.request}/${file} at the destination records a different delivery of '${expected.collection}' (other files or hashes). A delivered request is never delivered again with other content: open a new request with a new id.`,
    };
  }
  return { state: 'delivered', receipt, signed: text };
}

function sameFiles(a: readonly ReceiptFile[], b: readonly ReceiptFile[]): boolean {
  const key = (f: ReceiptFile) => `${f.path}\u0000${f.sha256.toLowerCase()}\u0000${f.size}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/** Removes local packages once delivered (they can be terabytes); receipts stay. */
export async function removePackages(packages: readonly PackedPackage[]): Promise<void> {
  await Promise.all(packages.map((p) => rm(p.package.path, { force: true })));
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
