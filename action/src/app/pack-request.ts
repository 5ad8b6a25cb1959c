import { rm, rmdir } from 'node:fs/promises';
import type * as openpgp from 'openpgp';
import { formatFingerprint, readPublicKeys } from '../crypto/keys.js';
import { diagnosticAt } from '../manifest/parse-yaml.js';
import type { Collection, Manifest } from '../manifest/types.js';
import { resolveOutputsRoot } from '../pack/outputs.js';
import { nameCollectionPackage, type PackedCollection, packCollection } from '../pack/package-collection.js';
import type { Receipt, ReceiptEvidence, ReceiptFile } from '../pack/receipt-types.js';
import { evaluatePolicy } from '../policy/evaluate.js';
import type { ReviewsFile } from '../policy/reviews-file.js';
import type { CollectionResult, Policy, PolicyResult } from '../policy/types.js';
import { roleTitle, sameCommit } from '../policy/wording.js';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import type { LoadedRepository } from './load-repository.js';
import { createOutputsResolver, type OutputsResolver } from './outputs-resolver.js';
import {
  checkOutDir,
  checkPackedItems,
  checkPassphraseAllowed,
  checkSigningKey,
  planItems,
} from './pack-preflight.js';
import { disclosureFacts, findingsCanBlock, scanRequestOutputs } from './scan-request.js';
import { validateRequest } from './validate-request.js';

export interface PackRequestInput {
  files: RepoFiles;
  repo: LoadedRepository;
  policy: Policy;
  /** Repository-relative POSIX path of the manifest. */
  manifestPath: string;
  /** Absolute outputs root. */
  outputsDir: string;
  /** Who opened the pull request, the head (full commit id), who merged, and the reviews. */
  reviews: ReviewsFile;
  /** Where the reviews came from; recorded in every receipt. */
  evidence: ReceiptEvidence;
  /** The egress signing key, unlocked; must be the key `.egress/config.yaml` names as `signingKey`. */
  signingKey: openpgp.PrivateKey;
  /** Optional passphrases that also open every package; refused from the policy's sensitive tier. */
  passwords?: string[];
  /**
   * Pack only these collections (the release skips those already delivered). The whole request
   * is still evaluated and must pass. Default: every collection.
   */
  collections?: readonly string[];
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
  /** True only when the whole request passed and every selected collection was packed. */
  passed: boolean;
  diagnostics: Diagnostic[];
  evaluation?: PolicyResult;
  /** Request-level decisions in words (which role, which review, which rule). */
  reasons: string[];
  /** Empty unless `passed`: a request that does not pass packs nothing. */
  packages: PackedPackage[];
  /** Collections that are not cleared, with the policy's words why. */
  skipped: { collection: string; state: string; reasons: string[] }[];
}

const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * Evaluate the request as `evaluate` does; only when the whole request passes (valid manifest,
 * every collection cleared, a head and a merger who holds the releasing role), package the
 * selected collections. Everything that can be checked without reading file contents is checked
 * before anything is written; the pins are verified while each file is packed. All or nothing:
 * if any package fails, the packages this run made (and an `outDir` it created) are removed.
 */
export async function packRequest(input: PackRequestInput): Promise<PackRequestResult> {
  await checkSigningKey(input.repo, input.signingKey);
  const validated = await validateRequest({
    files: input.files,
    manifestPath: input.manifestPath,
    repo: input.repo,
    configDir: input.repo.configDir,
  });
  const diagnostics = [...validated.diagnostics];
  const manifest = validated.manifest;
  const workPackage = manifest ? input.repo.workPackages.get(manifest.workPackage) : undefined;
  if (!manifest || !workPackage || !validated.document || hasErrors(diagnostics)) {
    const reasons = [`${input.manifestPath} is invalid (see the diagnostics)`];
    return { passed: false, diagnostics, reasons, packages: [], skipped: [] };
  }
  const selected = selectCollections(manifest, input.collections);
  const { author, head, merger, reviews } = input.reviews;
  // The outputs being packed are scanned, so a rule the policy makes blocking blocks here too
  // (with no blocking rule, findings cannot change the decision: no scan). One resolver for the
  // run: the scan resolves each path, the preflight reuses the answers.
  const outputs = await openOutputs(input.outputsDir);
  const findings = findingsCanBlock(input.policy)
    ? await scanRequestOutputs(manifest, input.outputsDir, input.policy, {
        document: validated.document,
        ...(outputs ? { outputs } : {}),
      })
    : undefined;
  const evaluation = evaluatePolicy({
    ...(findings ? { findings: disclosureFacts(findings) } : {}),
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
  const missingFacts = releaseFacts(input);
  const reasons = [...evaluation.reasons, ...missingFacts];
  for (const s of skipped) {
    reasons.push(
      `collection ${s.collection} is ${s.state}, not cleared: the request passes only when every collection is cleared`,
    );
  }
  const fail = (): PackRequestResult => ({
    passed: false,
    diagnostics: sortDiagnostics(diagnostics),
    evaluation,
    reasons,
    packages: [],
    skipped,
  });
  if (!evaluation.passed || missingFacts.length > 0) return fail();
  // From here on the request passes: head and merger are known.
  const commit = head!.toLowerCase();

  const results = evaluation.collections.filter((c) => selected.has(c.name));
  checkPassphraseAllowed(
    input.policy,
    input.passwords,
    results.map((c) => ({ name: c.name, tier: c.tier ?? 0 })),
  );
  const excluded = new Map(results.map((c) => [c.name, new Set(c.excludedItems)]));
  const plan = planItems(manifest, selected, excluded);
  for (const u of plan.unpinned) {
    diagnostics.push(
      diagnosticAt(
        validated.document,
        u.pointer,
        'unpinned-item',
        `'${u.path}' in collection '${u.collection}' has no sha256/size pin; run 'egress-gate lock' and ask for new reviews.`,
      ),
    );
  }
  diagnostics.push(...(await checkPackedItems(validated.document, input.outputsDir, plan.items, outputs)));
  if (hasErrors(diagnostics)) {
    reasons.push('an item cannot be packed as pinned (see the diagnostics)');
    return fail();
  }

  const signer = formatFingerprint(input.signingKey);
  const prepared: { result: CollectionResult; receipt: Receipt; keys: openpgp.PublicKey[] }[] = [];
  for (const result of results) {
    const collection = manifest.collections.find((c) => c.name === result.name)!;
    const keys = await resolveRecipientKeys(result, collection, input);
    const receipt = buildReceipt({ manifest, collection, result, input, signer, keys, commit });
    prepared.push({ result, receipt, keys });
  }
  const finalNames = prepared.flatMap(({ receipt }) => {
    const file = `${nameCollectionPackage(receipt)}.tar.gpg`;
    return [file, `${file}.receipt.asc`];
  });
  const { created } = await checkOutDir(input.outDir, finalNames);

  const packages: PackedPackage[] = [];
  try {
    for (const { result, receipt, keys } of prepared) {
      const packed = await packCollection({
        receipt,
        outputsRoot: input.outputsDir,
        outDir: input.outDir,
        encryptionKeys: keys,
        signingKey: input.signingKey,
        ...(input.passwords && input.passwords.length > 0 ? { passwords: input.passwords } : {}),
        ...(input.onProgress
          ? { onProgress: (done, total) => input.onProgress?.(result.name, done, total) }
          : {}),
      });
      packages.push({ collection: result.name, receipt, package: packed });
    }
  } catch (error) {
    await Promise.all(packages.map((p) => rm(p.package.path, { force: true })));
    // Folders this run created, deepest first; rmdir leaves any that someone else filled meanwhile.
    for (const dir of created) await rmdir(dir).catch(() => undefined);
    throw error;
  }
  return { passed: true, diagnostics: sortDiagnostics(diagnostics), evaluation, reasons, packages, skipped };
}

/** Undefined when the root cannot be resolved: the scan and the preflight then say why. */
async function openOutputs(outputsDir: string): Promise<OutputsResolver | undefined> {
  try {
    return createOutputsResolver(await resolveOutputsRoot(outputsDir));
  } catch {
    return undefined;
  }
}

/** What only a release can be judged on: a full head commit and the merger. */
function releaseFacts(input: PackRequestInput): string[] {
  const { head, merger } = input.reviews;
  const problems: string[] = [];
  if (head === undefined || !FULL_COMMIT.test(head)) {
    problems.push(
      head === undefined
        ? 'no head commit is given: packing needs the full id of the commit the reviews approved (`head:` in the reviews file)'
        : `the head commit '${head}' is abbreviated: packing needs its full id (40 or 64 hex digits), which the receipt records`,
    );
  }
  if (merger === undefined) {
    const title = roleTitle(input.policy, input.policy.releasingRole.id);
    problems.push(
      `no merger is given: packing needs who merged (\`merger:\` in the reviews file), who must be a ${title}`,
    );
  }
  return problems;
}

function selectCollections(manifest: Manifest, names: readonly string[] | undefined): Set<string> {
  const all = manifest.collections.map((c) => c.name);
  if (names === undefined) return new Set(all);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new EgressError(
      'USAGE',
      `${unknown.map((n) => `'${n}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a collection of request ${manifest.id} (collections: ${all.join(', ')})`,
    );
  }
  return new Set(names);
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
  commit: string;
}): Receipt {
  const { manifest, collection, result, input, commit } = parts;
  const excluded = new Set(result.excludedItems);
  const files: ReceiptFile[] = collection.items
    .filter((item) => !excluded.has(item.path))
    .map((item) => ({ path: item.path, sha256: item.sha256!.toLowerCase(), size: item.size! }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
  const { discussion, providerNotification: notice } = collection;
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
    // Counted classifications were made on the head: record its full id, not the abbreviation.
    classifications: result.classifications.map((c) => ({
      ...c,
      commit: sameCommit(c.commit, commit) ? commit : c.commit,
    })),
    ...(discussion
      ? {
          discussion: {
            date: String(discussion.date),
            outcome: discussion.outcome,
            attendees: discussion.attendees.map((a) => ({ user: a.user, role: a.role })),
            treatments: (discussion.treatments ?? []).map((t) => ({
              path: t.path,
              treatment: t.treatment,
              ...(t.note !== undefined ? { note: t.note } : {}),
            })),
            ...(discussion.notes !== undefined ? { notes: discussion.notes } : {}),
          },
        }
      : {}),
    ...(notice
      ? {
          providerNotification: {
            ...(notice.reference !== undefined ? { reference: notice.reference } : {}),
            ...(notice.date !== undefined ? { date: String(notice.date) } : {}),
            ...(notice.legalBasis !== undefined ? { legalBasis: notice.legalBasis } : {}),
          },
        }
      : {}),
    files,
    excluded: [...result.excludedItems].sort(),
    recipients: parts.keys.map(formatFingerprint),
    passphrase: (input.passwords?.length ?? 0) > 0,
    signer: parts.signer,
    commit,
    merger: input.reviews.merger!,
    evidence: input.evidence,
    createdAt: input.createdAt,
    ...(input.runUrl !== undefined ? { runUrl: input.runUrl } : {}),
  };
}
