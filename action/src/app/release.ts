import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { formatFingerprint, readPublicKeys } from '../crypto/keys.js';
import type { CreateDelivery, Delivery, DeliveryContext } from '../deliver/delivery.js';
import type { Collection, Manifest } from '../manifest/types.js';
import type { ReceiptEvidence, ReceiptFile } from '../pack/receipt-types.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { ReviewsFile } from '../policy/reviews-file.js';
import type { Policy, PolicyResult } from '../policy/types.js';
import { type Diagnostic, hasErrors } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import {
  completeInterruptedDelivery,
  type DeliveredPackage,
  deliverPackages,
  type ExistingDelivery,
  findExistingDelivery,
  receiptNameOf,
  removeLeftoverPending,
  removePackages,
} from './deliver-request.js';
import type { LoadedRepository } from './load-repository.js';
import { type PackRequestInput, packRequest } from './pack-request.js';
import { disclosureFacts, findingsCanBlock, scanRequestOutputs } from './scan-request.js';
import { validateRequest } from './validate-request.js';

/** Where the reviews, the merger and the trusted configuration came from (recorded in the receipt). */
export type ReleaseEvidence = ReceiptEvidence;

export interface ReleaseInput {
  /** The manifest and the trusted configuration (in the action: head for the one, base for the rest). */
  files: RepoFiles;
  repo: LoadedRepository;
  policy: Policy;
  manifestPath: string;
  /** Absolute outputs root on this machine: every pin is re-hashed from here while packing. */
  outputsDir: string;
  /** Must name `head` and `merger`. */
  reviews: ReviewsFile;
  evidence: ReleaseEvidence;
  signingKey: openpgp.PrivateKey;
  createDelivery: CreateDelivery;
  deliveryContext: DeliveryContext;
  /** Each run writes its packages and receipts to a new folder in here; packages are removed once delivered. */
  workDir: string;
  createdAt: string;
  runUrl?: string;
  onProgress?: (event: ReleaseProgress) => void;
  /** Secrets met on the way (the recipients' access links), to be masked wherever text leaves. */
  onSecret?: (secret: string) => void;
}

export type ReleaseProgress =
  | { phase: 'checking'; collection: string }
  | { phase: 'packing'; collection: string; doneBytes: number; totalBytes: number }
  | { phase: 'delivering'; collection: string; doneBytes: number; totalBytes: number };

export type ReleaseState = 'delivered' | 'already-delivered' | 'invalid' | 'not-cleared' | 'conflict';

export interface CollectionRelease extends DeliveredPackage {
  /** Fingerprints the package is encrypted to. */
  recipients: string[];
}

export interface ReleaseOutcome {
  state: ReleaseState;
  /** True when every collection is at its destination (now or by an earlier run). */
  passed: boolean;
  requestId?: string;
  manifest?: Manifest;
  tier?: number;
  evaluation?: PolicyResult;
  diagnostics: Diagnostic[];
  /** Why nothing was delivered, in plain words (empty when delivered). */
  reasons: string[];
  collections: CollectionRelease[];
}

/**
 * The release, shared by the action and `egress-gate deliver`: evaluate the whole request again
 * (policy, reviews on the head commit, the merger's role), look for each collection's signed
 * receipt at its destination (same request, collection and file hashes ⇒ already delivered),
 * then pack the rest (re-hashing every pin from the outputs) and deliver them. All or nothing:
 * no collection is packed or sent unless the whole request passes and no destination holds a
 * conflicting receipt.
 */
export async function releaseRequest(input: ReleaseInput): Promise<ReleaseOutcome> {
  const { reviews } = input;
  if (reviews.head === undefined || reviews.merger === undefined) {
    throw new EgressError(
      'USAGE',
      `the reviews for a delivery must name the head commit ('head') and who merged ('merger'); ${input.evidence.source === 'reviews-file' ? input.evidence.path : 'the pull request'} does not. Nothing was delivered.`,
    );
  }
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
  });
  const diagnostics = [...input.repo.diagnostics, ...validated.diagnostics];
  const manifest = validated.manifest;
  const workPackage = manifest ? input.repo.workPackages.get(manifest.workPackage) : undefined;
  const base = { diagnostics, collections: [] as CollectionRelease[], passed: false };
  if (!manifest || !workPackage || hasErrors(diagnostics)) {
    return {
      ...base,
      state: 'invalid',
      ...(manifest ? { requestId: manifest.id, manifest } : {}),
      reasons: [
        'The request manifest or the trusted configuration has errors (listed below); nothing was delivered.',
      ],
    };
  }
  // The outputs are here: blocking disclosure rules are judged on them (packRequest does it again).
  // Only blocking rules can change the decision; without one there is nothing to scan for.
  const findings = findingsCanBlock(input.policy)
    ? await scanRequestOutputs(manifest, input.outputsDir, input.policy, {
        ...(validated.document ? { document: validated.document } : {}),
      })
    : undefined;
  const evaluation = evaluatePolicy({
    ...(findings ? { findings: disclosureFacts(findings) } : {}),
    policy: input.policy,
    config: input.repo.config,
    workPackage,
    manifest,
    author: reviews.author,
    head: reviews.head,
    merger: reviews.merger,
    reviews: reviews.reviews,
  });
  const described = {
    requestId: manifest.id,
    manifest,
    evaluation,
    ...(evaluation.tier !== undefined ? { tier: evaluation.tier } : {}),
  };
  if (!evaluation.passed) {
    const reasons = [
      ...evaluation.reasons.filter((r) => !r.startsWith('merged by ')),
      ...evaluation.collections
        .filter((c) => c.state !== 'cleared')
        .map(
          (c) =>
            `collection '${c.name}' is ${c.state}: ${[...c.missing, ...c.reasons].slice(0, 3).join('; ')}`,
        ),
    ];
    return {
      ...base,
      ...described,
      state: 'not-cleared',
      reasons: [`The request does not pass, so no collection was delivered. ${reasons.join(' ')}`.trim()],
    };
  }

  // Every destination is asked before anything is packed or sent.
  const existing = new Map<string, ExistingDelivery>();
  for (const collection of manifest.collections) {
    input.onProgress?.({ phase: 'checking', collection: collection.name });
    const result = evaluation.collections.find((c) => c.name === collection.name)!;
    existing.set(collection.name, await checkDestination(input, manifest, collection, result.excludedItems));
  }
  const conflicts = [...existing.values()].flatMap((e) => (e.state === 'conflict' ? [e.reason] : []));
  if (conflicts.length > 0) {
    return { ...base, ...described, state: 'conflict', reasons: conflicts };
  }

  // A folder of its own per run: packing never writes over a package or receipt left by another.
  await mkdir(input.workDir, { recursive: true });
  const runDir = await mkdtemp(join(input.workDir, `${manifest.id}-`));
  const arrived = (
    found: ExistingDelivery | undefined,
  ): found is Extract<ExistingDelivery, { state: 'delivered' | 'interrupted' }> =>
    found?.state === 'delivered' || found?.state === 'interrupted';
  const toPack = manifest.collections.map((c) => c.name).filter((name) => !arrived(existing.get(name)));
  const collections: CollectionRelease[] = [];
  const recipientKeys = await recipientKeysOf(input.repo);
  // Completed last, once every other collection is delivered: a failure before then leaves them
  // interrupted for the next run, which completes them and posts their links.
  const interrupted: {
    collection: Collection;
    found: Extract<ExistingDelivery, { state: 'interrupted' }>;
    receiptPath: string;
  }[] = [];
  const completeInterrupted = async () => {
    for (const { collection, found, receiptPath } of interrupted) {
      input.onProgress?.({ phase: 'delivering', collection: collection.name, doneBytes: 0, totalBytes: 0 });
      const completed = await withDelivery(input, collection.destination, (delivery) =>
        completeInterruptedDelivery(delivery, found.signed, {
          collection: collection.name,
          destination: collection.destination,
          receiptPath,
          receipt: found.receipt,
          signingKey: input.signingKey,
          recipientKeys,
          ...(input.onSecret ? { onSecret: input.onSecret } : {}),
        }),
      );
      collections.push({ ...completed, recipients: completed.receipt.recipients });
    }
  };
  for (const collection of manifest.collections) {
    const found = existing.get(collection.name);
    if (!arrived(found)) continue;
    // A local copy of the receipt found at the destination, for the `receipt` output.
    const packageFile = `${manifest.id}-${collection.name}.tar.gpg`;
    const receiptPath = join(runDir, receiptNameOf(packageFile));
    if (found.state === 'interrupted') {
      interrupted.push({ collection, found, receiptPath });
      continue;
    }
    await writeFile(receiptPath, found.signed);
    await withDelivery(input, collection.destination, (delivery) =>
      removeLeftoverPending(delivery, manifest.id, packageFile, found.signed),
    );
    collections.push({
      collection: collection.name,
      destination: collection.destination,
      location: found.receipt.destination?.location ?? collection.destination,
      receiptPath,
      receipt: found.receipt,
      alreadyDelivered: true,
      recipients: found.receipt.recipients,
    });
  }
  const inManifestOrder = () => {
    const order = manifest.collections.map((c) => c.name);
    collections.sort((a, b) => order.indexOf(a.collection) - order.indexOf(b.collection));
  };
  if (toPack.length === 0) {
    await completeInterrupted();
    inManifestOrder();
    const state = collections.every((c) => c.alreadyDelivered) ? 'already-delivered' : 'delivered';
    return { ...base, ...described, state, passed: true, reasons: [], collections };
  }

  const packInput: PackRequestInput = {
    files: input.files,
    repo: input.repo,
    policy: input.policy,
    manifestPath: input.manifestPath,
    outputsDir: input.outputsDir,
    reviews,
    signingKey: input.signingKey,
    outDir: runDir,
    createdAt: input.createdAt,
    collections: toPack,
    evidence: input.evidence,
    ...(input.runUrl !== undefined ? { runUrl: input.runUrl } : {}),
    onProgress: (collection, doneBytes, totalBytes) =>
      input.onProgress?.({ phase: 'packing', collection, doneBytes, totalBytes }),
  };
  const packed = await packRequest(packInput);
  // Packages of collections delivered earlier (packed by a pack step that packs every cleared one) are not sent again.
  const packages = packed.packages.filter((p) => toPack.includes(p.collection));
  try {
    const missing = toPack.filter((name) => !packages.some((p) => p.collection === name));
    if (!packed.passed || missing.length > 0) {
      return {
        ...base,
        ...described,
        diagnostics: [...diagnostics, ...packed.diagnostics],
        state: packed.evaluation?.passed === false ? 'not-cleared' : 'invalid',
        reasons: [
          `Packing refused the request, so nothing was delivered: ${packed.reasons.join('; ') || `no package for ${missing.join(', ')}`}.`,
        ],
      };
    }
    const delivered = await deliverPackages({
      packages,
      config: input.repo.config,
      signingKey: input.signingKey,
      createDelivery: input.createDelivery,
      context: input.deliveryContext,
      recipientKeys,
      ...(input.onSecret ? { onSecret: input.onSecret } : {}),
      onProgress: (collection, doneBytes, totalBytes) =>
        input.onProgress?.({ phase: 'delivering', collection, doneBytes, totalBytes }),
    });
    collections.push(...delivered.map((d) => ({ ...d, recipients: d.receipt.recipients })));
    await completeInterrupted();
  } finally {
    await removePackages(packed.packages);
  }
  inManifestOrder();
  return { ...base, ...described, state: 'delivered', passed: true, reasons: [], collections };
}

async function checkDestination(
  input: ReleaseInput,
  manifest: Manifest,
  collection: Collection,
  excludedItems: readonly string[],
): Promise<ExistingDelivery> {
  const destination = input.repo.config.destinations[collection.destination];
  if (!destination) {
    return { state: 'conflict', reason: `destination '${collection.destination}' is not configured` };
  }
  return withDelivery(input, collection.destination, (delivery) =>
    findExistingDelivery(
      delivery,
      { request: manifest.id, collection: collection.name, files: expectedFiles(collection, excludedItems) },
      input.signingKey,
    ),
  );
}

/** One adapter for one step, closed afterwards (the destination is configured: checked before). */
async function withDelivery<T>(
  input: ReleaseInput,
  name: string,
  step: (delivery: Delivery) => Promise<T>,
): Promise<T> {
  const delivery = input.createDelivery(name, input.repo.config.destinations[name]!, input.deliveryContext);
  try {
    return await step(delivery);
  } finally {
    await delivery.close();
  }
}

/** The files a receipt for this collection lists: its pinned items less those removed. */
function expectedFiles(collection: Collection, excludedItems: readonly string[]): ReceiptFile[] {
  const excluded = new Set(excludedItems);
  return collection.items
    .filter((item) => !excluded.has(item.path))
    .map((item) => ({ path: item.path, sha256: (item.sha256 ?? '').toLowerCase(), size: item.size ?? -1 }));
}

/** Every public key of the configuration by fingerprint (primary keys), to seal access links. */
async function recipientKeysOf(repo: LoadedRepository): Promise<Map<string, openpgp.PublicKey>> {
  const byFingerprint = new Map<string, openpgp.PublicKey>();
  for (const [name, armored] of repo.keys) {
    const keys = await readPublicKeys(armored, `${repo.configDir}/keys/${name}`).catch(() => []);
    for (const key of keys) byFingerprint.set(formatFingerprint(key), key);
  }
  return byFingerprint;
}
