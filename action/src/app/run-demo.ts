import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDemoKey } from '../crypto/generate-key.js';
import { readPublicKeys, readSecretKey } from '../crypto/keys.js';
import type { CreateDelivery } from '../deliver/delivery.js';
import { type VerifiedPackage, verifyPackage } from '../pack/verify-package.js';
import { parseReviewsFile } from '../policy/reviews-file.js';
import type { PolicyResult } from '../policy/types.js';
import { formatDiagnostic, hasErrors } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import { type DeliveredPackage, deliverPackages } from './deliver-request.js';
import { demoRequestPath, demoReviewsFile, writeDemoRepository } from './demo-repository.js';
import { loadPolicy } from './load-policy.js';
import { loadRepository } from './load-repository.js';
import { lockRequest } from './lock-request.js';
import { packRequest } from './pack-request.js';
import { outputsDirOf, validateRequest } from './validate-request.js';

export interface DemoResult {
  workspace: string;
  head: string;
  evaluation: PolicyResult;
  delivered: DeliveredPackage[];
  verified: { collection: string; recipient: string; outDir: string; result: VerifiedPackage }[];
}

/** Which demo identity opens which collection's package. */
const recipientOf: Record<string, 'investigator' | 'data-provider'> = {
  'report-inputs': 'investigator',
  'data-provider-handover': 'data-provider',
};

/**
 * A complete egress with no forge and no cloud: write the case-study repository, lock the
 * request, classify it with three simulated approvals, pack, sign, deliver to local "disks",
 * and open every package as its recipient would.
 */
export async function runDemo(input: {
  workspace: string;
  createFiles: (root: string) => RepoFiles;
  createDelivery: CreateDelivery;
  log: (line: string) => void;
  now?: Date;
}): Promise<DemoResult> {
  const { workspace, log } = input;
  const secrets = join(workspace, 'recipient-secrets');
  await mkdir(secrets, { recursive: true });

  log('1. Generating throwaway OpenPGP keys (v4 Curve25519, readable by GnuPG 2.2)…');
  const signing = await generateDemoKey('egress-gate demo signing key', 'egress@tre.example');
  const investigator = await generateDemoKey('Alice (investigator)', 'alice@university.example');
  const provider = await generateDemoKey('Example NHS Trust', 'data@trust.example');
  await writeDemoRepository(workspace, {
    publicKeys: {
      'egress-signing.asc': signing.publicKey,
      'investigator.asc': investigator.publicKey,
      'data-provider.asc': provider.publicKey,
    },
  });
  await writeFile(join(secrets, 'investigator.secret.asc'), investigator.privateKey, { mode: 0o600 });
  await writeFile(join(secrets, 'data-provider.secret.asc'), provider.privateKey, { mode: 0o600 });

  const files = input.createFiles(workspace);
  const repo = await loadRepository(files);
  if (hasErrors(repo.diagnostics)) throw demoBroken(repo.diagnostics.map(formatDiagnostic));
  const outputsDir = outputsDirOf(workspace, repo);

  log(`2. Researcher erin locks ${demoRequestPath} (directories expand, SHA-256 pins filled in)…`);
  const locked = await lockRequest({ files, manifestPath: demoRequestPath, outputsDir, repo });
  if (locked.text === undefined) throw demoBroken(locked.diagnostics.map(formatDiagnostic));
  await writeFile(join(workspace, demoRequestPath), locked.text);
  const validated = await validateRequest({ files, manifestPath: demoRequestPath, outputsDir, repo });
  if (hasErrors(validated.diagnostics)) throw demoBroken(validated.diagnostics.map(formatDiagnostic));
  log(`   ${locked.files} files pinned, ${locked.bytes} bytes; the manifest validates.`);

  // Stands in for the pull request's head commit: the approvals are bound to this exact manifest.
  const head = createHash('sha256').update(locked.text).digest('hex').slice(0, 40);
  const reviewsText = demoReviewsFile(head);
  await writeFile(join(workspace, 'reviews.yaml'), reviewsText);
  const reviews = parseReviewsFile(reviewsText, 'reviews.yaml');
  if (!reviews.reviewsFile) throw demoBroken(reviews.diagnostics.map(formatDiagnostic));
  const loadedPolicy = await loadPolicy(repo.config.policy, files);
  if (!loadedPolicy.policy) throw demoBroken(loadedPolicy.diagnostics.map(formatDiagnostic));

  log('3. Investigator alice, data provider representative bob and referee carol approve with "tier: 1";');
  log('   system manager dora merges. Evaluating the Turing policy…');
  const signingKey = await readSecretKey(signing.privateKey, 'demo signing key');
  const createdAt = (input.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const packed = await packRequest({
    files,
    repo,
    policy: loadedPolicy.policy,
    manifestPath: demoRequestPath,
    outputsDir,
    reviews: reviews.reviewsFile,
    evidence: { source: 'reviews-file', path: 'reviews.yaml' },
    signingKey,
    outDir: join(workspace, 'packages'),
    createdAt,
  });
  if (!packed.evaluation || !packed.passed) {
    const why = packed.skipped.flatMap((s) => s.reasons.map((r) => `${s.collection}: ${r}`));
    throw demoBroken([...packed.diagnostics.map(formatDiagnostic), ...why]);
  }
  for (const c of packed.evaluation.collections) {
    log(
      `   ${c.name}: ${c.state} at tier ${c.tier} (${c.classifications.map((k) => `${k.role} @${k.user}`).join(', ')})`,
    );
  }

  log('4. Packing, encrypting and signing each collection, then delivering to its destination…');
  const delivered = await deliverPackages({
    packages: packed.packages,
    config: repo.config,
    signingKey,
    createDelivery: input.createDelivery,
    context: { repoRoot: workspace, secrets: {}, actor: 'dora' },
  });
  for (const d of delivered) {
    log(`   ${d.collection} → ${d.location}/${d.receipt.package?.file} (${d.receipt.package?.size} bytes)`);
  }

  log('5. Each recipient verifies and opens their package…');
  const signerKeys = await readPublicKeys(signing.publicKey, 'demo signing key');
  const verified: DemoResult['verified'] = [];
  for (const d of delivered) {
    const recipient = recipientOf[d.collection] ?? 'investigator';
    const secret = await readFile(join(secrets, `${recipient}.secret.asc`), 'utf8');
    const outDir = join(workspace, 'opened', recipient);
    const result = await verifyPackage({
      packagePath: join(d.location, d.receipt.package?.file ?? ''),
      decryptionKey: await readSecretKey(secret, `${recipient} secret key`),
      signerKeys,
      outDir,
    });
    verified.push({ collection: d.collection, recipient, outDir, result });
    log(
      `   ${recipient} opened ${d.collection}: signature by ${result.signer}, ${result.fileCount} files checked`,
    );
  }
  return { workspace, head, evaluation: packed.evaluation, delivered, verified };
}

function demoBroken(lines: string[]): EgressError {
  return new EgressError('INTERNAL', `the demo's embedded repository did not pass:\n  ${lines.join('\n  ')}`);
}
