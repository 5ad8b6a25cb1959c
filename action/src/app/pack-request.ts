import { rm } from 'node:fs/promises';
import type * as openpgp from 'openpgp';
import { formatFingerprint, readPublicKeys } from '../crypto/keys.js';
import type { Collection, Manifest } from '../manifest/types.js';
import { type PackedCollection, packCollection } from '../pack/package-collection.js';
import type { Receipt, ReceiptFile } from '../pack/receipt-types.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { ReviewsFile } from '../policy/reviews-file.js';
import type { CollectionResult, Policy, PolicyResult } from '../policy/types.js';
import { type Diagnostic, hasErrors } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import type { LoadedRepository } from './load-repository.js';
import { validateRequest } from './validate-request.js';

export interface PackRequestInput {
  files: RepoFiles;
  repo: LoadedRepository;
  policy: Policy;
  /** Repository-relative POSIX path of the manifest. */
  manifestPath: string;
  /** Absolute outputs root. */
  outputsDir: string;
  reviews: ReviewsFile;
  /** The egress signing key, unlocked. */
  signingKey: openpgp.PrivateKey;
  /** Optional passphrases that also open every package. */
  passwords?: string[];
  outDir: string;
  /** ISO 8601; fixes the archive's mtimes and the receipt (same inputs → same tar bytes). */
  createdAt: string;
  runUrl?: string;
  onProgress?: (collection: string, archivedBytes: number, totalBytes: number) => void;
}

export interface PackedPackage {
  collection: string;
  receipt: Receipt;
  package: PackedCollection;
}

export interface PackRequestResult {
  /** True when the manifest is valid, every collection was cleared and packed. */
  passed: boolean;
  diagnostics: Diagnostic[];
  evaluation?: PolicyResult;
  packages: PackedPackage[];
  /** Collections not packed, with the policy's words why. */
  skipped: { collection: string; state: string; reasons: string[] }[];
}

/**
 * Evaluate the request as `evaluate` does, then package every cleared collection. The pins are
 * not hashed up front: each file is checked while it is packed. All or nothing: if any package
 * fails, the packages this run already made are removed again.
 */
export async function packRequest(input: PackRequestInput): Promise<PackRequestResult> {
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
    configDir: input.repo.configDir,
  });
  const diagnostics = [...validated.diagnostics];
  const manifest = validated.manifest;
  const workPackage = manifest ? input.repo.workPackages.get(manifest.workPackage) : undefined;
  if (!manifest || !workPackage || hasErrors(diagnostics)) {
    return { passed: false, diagnostics, packages: [], skipped: [] };
  }
  const { author, head, merger, reviews } = input.reviews;
  const evaluation = evaluatePolicy({
    policy: input.policy,
    config: input.repo.config,
    workPackage,
    manifest,
    author,
    reviews,
    ...(head !== undefined ? { head } : {}),
    ...(merger !== undefined ? { merger } : {}),
  });
  const skipped = evaluation.collections
    .filter((c) => c.state !== 'cleared')
    .map((c) => ({ collection: c.name, state: c.state, reasons: [...c.reasons, ...c.missing] }));
  const signer = formatFingerprint(input.signingKey);

  const packages: PackedPackage[] = [];
  try {
    for (const result of evaluation.collections.filter((c) => c.state === 'cleared')) {
      const collection = manifest.collections.find((c) => c.name === result.name)!;
      const keys = await resolveRecipientKeys(result, collection, input);
      const receipt = buildReceipt({ manifest, collection, result, input, signer, keys });
      const packed = await packCollection({
        receipt,
        outputsRoot: input.outputsDir,
        outDir: input.outDir,
        encryptionKeys: keys,
        signingKey: input.signingKey,
        ...(input.passwords ? { passwords: input.passwords } : {}),
        ...(input.onProgress
          ? { onProgress: (done, total) => input.onProgress?.(result.name, done, total) }
          : {}),
      });
      packages.push({ collection: result.name, receipt, package: packed });
    }
  } catch (error) {
    await Promise.all(packages.map((p) => rm(p.package.path, { force: true })));
    throw error;
  }
  return { passed: evaluation.passed && skipped.length === 0, diagnostics, evaluation, packages, skipped };
}

/**
 * The policy names the key files (the data provider's for sensitive tiers); the work package's
 * lists are the fallback when a policy result carries none.
 */
async function resolveRecipientKeys(
  result: CollectionResult,
  collection: Collection,
  input: PackRequestInput,
): Promise<openpgp.PublicKey[]> {
  const names = result.recipients;
  if (names.length === 0) {
    throw new EgressError(
      'CONFIG',
      `collection '${collection.name}' has no recipient key: list key files under 'recipients' (or the data provider's 'keys') in the work package.`,
    );
  }
  const keys: openpgp.PublicKey[] = [];
  for (const name of names) {
    const armored = input.repo.keys.get(name);
    if (armored === undefined) {
      throw new EgressError(
        'CONFIG',
        `collection '${collection.name}' must be encrypted to '${name}', but ${input.repo.configDir}/keys/${name} does not exist.`,
      );
    }
    keys.push(...(await readPublicKeys(armored, `${input.repo.configDir}/keys/${name}`)));
  }
  return keys;
}

function buildReceipt(parts: {
  manifest: Manifest;
  collection: Collection;
  result: CollectionResult;
  input: PackRequestInput;
  signer: string;
  keys: openpgp.PublicKey[];
}): Receipt {
  const { manifest, collection, result, input } = parts;
  const excluded = new Set(result.excludedItems);
  const files: ReceiptFile[] = collection.items
    .filter((item) => !excluded.has(item.path))
    .map((item) => {
      if (item.sha256 === undefined || item.size === undefined) {
        throw new EgressError(
          'INPUT',
          `${input.manifestPath}: '${item.path}' in collection '${collection.name}' has no sha256/size pin; run 'egress-gate lock'.`,
        );
      }
      return { path: item.path, sha256: item.sha256.toLowerCase(), size: item.size };
    })
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const head = input.reviews.head;
  return {
    receiptVersion: 1,
    request: {
      id: manifest.id,
      title: manifest.title,
      workPackage: manifest.workPackage,
      requester: manifest.requester,
    },
    collection: { name: collection.name, kind: collection.kind, destination: collection.destination },
    tier: result.tier ?? 0,
    classifications: result.classifications,
    ...(collection.discussion
      ? { discussion: { date: collection.discussion.date, outcome: collection.discussion.outcome } }
      : {}),
    files,
    excluded: [...result.excludedItems].sort(),
    recipients: parts.keys.map(formatFingerprint),
    signer: parts.signer,
    ...(head !== undefined ? { commit: head } : {}),
    ...(input.reviews.merger !== undefined ? { merger: input.reviews.merger } : {}),
    createdAt: input.createdAt,
    ...(input.runUrl !== undefined ? { runUrl: input.runUrl } : {}),
  };
}
