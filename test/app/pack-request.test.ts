import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../action/src/app/load-policy.js';
import { loadRepository } from '../../action/src/app/load-repository.js';
import { type PackRequestInput, packRequest } from '../../action/src/app/pack-request.js';
import { outputsDirOf } from '../../action/src/app/validate-request.js';
import { createFsRepoFiles } from '../../action/src/cli/fs-repo-files.js';
import { createSchemaValidators } from '../../action/src/manifest/schema.js';
import { parseReviewsFile } from '../../action/src/policy/reviews-file.js';
import { EgressError } from '../../action/src/shared/errors.js';
import { makeTempDir, makeTestKey } from '../pack/pack-fixtures.js';

const examples = new URL('../../examples', import.meta.url).pathname;
const manifestPath = 'requests/dsg-2026-03-final-outputs.yaml';
const head = '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e';
const configCommit = '0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c';

/** The example repository with throwaway keys, ready to pack from the given reviews file. */
async function setUp(dir: string, reviewsName = 'dsg-2026-03-final-outputs.merged.yaml') {
  const root = path.join(dir, 'repo');
  await cp(examples, root, { recursive: true });
  const [investigator, provider, signer] = await Promise.all([
    makeTestKey('Investigator'),
    makeTestKey('Provider'),
    makeTestKey('Egress'),
  ]);
  const keys = path.join(root, '.egress/keys');
  await writeFile(path.join(keys, 'investigator.asc'), investigator.publicArmored);
  await writeFile(path.join(keys, 'data-provider.asc'), provider.publicArmored);
  await writeFile(path.join(keys, 'egress-signing.asc'), signer.publicArmored);
  const files = createFsRepoFiles(root);
  const repo = await loadRepository(files);
  const { policy } = await loadPolicy(repo.config.policy, files);
  const reviewsText = await readFile(path.join(root, 'reviews', reviewsName), 'utf8');
  const { reviewsFile } = parseReviewsFile(reviewsText, reviewsName);
  const input: PackRequestInput = {
    files,
    repo,
    policy: policy!,
    manifestPath,
    outputsDir: outputsDirOf(root, repo),
    reviews: reviewsFile!,
    evidence: {
      source: 'forge',
      forge: 'github',
      pullRequest: 42,
      url: 'https://github.example/tre/egress/pull/42',
      configCommit,
    },
    signingKey: signer.secretKey,
    outDir: path.join(dir, 'out'),
    createdAt: '2026-12-01T10:00:00Z',
  };
  return { root, input };
}

const listing = (dir: string) => readdir(dir).catch(() => undefined);

describe('packRequest', () => {
  it('packs only the collections asked for, and records the forge evidence in the receipt', async () => {
    await using tmp = await makeTempDir();
    const { input } = await setUp(tmp.dir);
    const result = await packRequest({ ...input, collections: ['data-provider-handover'] });
    expect(result.passed).toBe(true);
    expect(result.packages.map((p) => p.package.file)).toEqual([
      'dsg-2026-03-final-outputs-data-provider-handover.tar.gpg',
    ]);
    expect(await listing(input.outDir)).toEqual(['dsg-2026-03-final-outputs-data-provider-handover.tar.gpg']);
    const receipt = result.packages[0]!.receipt;
    expect(receipt.evidence).toEqual(input.evidence);
    expect(receipt).toMatchObject({ commit: head, merger: 'dora', passphrase: false });
    expect(result.reasons).toContain('merged by system manager @dora');
    expect(createSchemaValidators().validate('receipt', receipt)).toEqual([]);
  });

  it('makes receipts the schema takes, also as delivery receipts with custody or a link expiry', async () => {
    await using tmp = await makeTempDir();
    const { input } = await setUp(tmp.dir);
    const result = await packRequest({ ...input, collections: ['report-inputs'] });
    const receipt = result.packages[0]!.receipt;
    const validators = createSchemaValidators();
    const delivered = {
      ...receipt,
      package: { file: 'x.tar.gpg', sha256: 'e'.repeat(64), size: 10 },
      destination: {
        name: 'provider-disk',
        kind: 'physical',
        location: '/media/disk-7/dsg-2026-03-final-outputs',
        custody: { by: 'dora', at: '2026-12-01T10:05:00Z', deviceLabel: 'TRE-DISK-0007' },
      },
    };
    expect(validators.validate('receipt', delivered)).toEqual([]);
    const linked = {
      ...delivered,
      destination: {
        name: 'researcher-blob',
        kind: 'azure-blob',
        location: 'https://dsgegress.blob.core.windows.net/dsg-egress-1',
        expiresAt: '2026-12-04T10:05:00Z',
      },
    };
    expect(validators.validate('receipt', linked)).toEqual([]);
    const { passphrase: _, ...withoutPassphrase } = receipt;
    expect(
      validators
        .validate('receipt', withoutPassphrase)
        .map((d) => d.message)
        .join(),
    ).toContain('passphrase');
    const abbreviated = { ...receipt, commit: '5f3c9e1' };
    expect(validators.validate('receipt', abbreviated)).not.toEqual([]);
  });

  it('still judges the whole request: a cleared collection is not packed while another is not cleared', async () => {
    await using tmp = await makeTempDir();
    const { root, input } = await setUp(tmp.dir);
    const text = await readFile(
      path.join(root, 'reviews/dsg-2026-03-final-outputs.needs-discussion.yaml'),
      'utf8',
    );
    const { reviewsFile } = parseReviewsFile(
      text.replace('head: 5f3c9e1\n', `head: ${head}\nmerger: dora\n`),
      'reviews.yaml',
    );
    const result = await packRequest({ ...input, reviews: reviewsFile!, collections: ['report-inputs'] });
    expect(result.passed).toBe(false);
    expect(result.packages).toEqual([]);
    expect(result.evaluation?.collections.find((c) => c.name === 'report-inputs')?.state).toBe('cleared');
    expect(result.reasons).toContain(
      'collection data-provider-handover is needs-discussion, not cleared: the request passes only when every collection is cleared',
    );
    expect(await listing(input.outDir)).toBeUndefined();
  });

  it('a custom policy with a blocking disclosure rule packs nothing, and names the rule', async () => {
    await using tmp = await makeTempDir();
    const { input } = await setUp(tmp.dir);
    const policy = structuredClone(input.policy);
    policy.name = 'strict';
    // Every count in the example tables is below this threshold.
    policy.disclosure.rules = { 'small-cell': { severity: 'blocking', threshold: 1_000_000 } };
    const result = await packRequest({ ...input, policy });
    expect(result.passed).toBe(false);
    expect(result.packages).toEqual([]);
    expect(await listing(input.outDir)).toBeUndefined();
    const why = result.skipped.flatMap((s) => s.reasons).join('\n');
    expect(why).toContain("disclosure rule 'small-cell' is blocking in policy strict");
    expect(result.evaluation?.collections.some((c) => c.state === 'blocked')).toBe(true);
  });

  it('packs nothing when an item has no pin, and says where', async () => {
    await using tmp = await makeTempDir();
    const { root, input } = await setUp(tmp.dir);
    const manifestFile = path.join(root, manifestPath);
    const text = await readFile(manifestFile, 'utf8');
    const pinned = `      - path: code/plot.py
        sha256: 31cbb76ef74300d58a8cdfc4521b0cea63c16dc064fb49023abba0f281d07d27
        size: 220
`;
    expect(text).toContain(pinned);
    await writeFile(manifestFile, text.replace(pinned, '      - path: code/plot.py\n'));
    const result = await packRequest(input);
    expect(result.passed).toBe(false);
    expect(result.packages).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.file}:${d.line} ${d.code}`)).toContain(
      `${manifestPath}:60 unpinned-item`,
    );
    expect(await listing(input.outDir)).toBeUndefined();
  });

  it('refuses a collection the request does not have', async () => {
    await using tmp = await makeTempDir();
    const { input } = await setUp(tmp.dir);
    const attempt = packRequest({ ...input, collections: ['report-input'] });
    await expect(attempt).rejects.toThrow(EgressError);
    await expect(attempt).rejects.toThrow(
      "'report-input' is not a collection of request dsg-2026-03-final-outputs (collections: report-inputs, data-provider-handover)",
    );
    expect(await listing(input.outDir)).toBeUndefined();
  });

  it('removes the earlier package and the out folders it created when a later collection fails', async () => {
    await using tmp = await makeTempDir();
    const { root, input: base } = await setUp(tmp.dir);
    const input = { ...base, outDir: path.join(tmp.dir, 'runs', 'today', 'out') };
    // Only in the second collection; same size, other bytes: found while packing it.
    const derived = path.join(root, 'outputs/derived/admissions-by-week.csv');
    const bytes = await readFile(derived);
    bytes[0] = bytes[0] === 0x72 ? 0x52 : 0x72;
    await writeFile(derived, bytes);
    // Collections are packed in manifest order: report-inputs was complete when this failed.
    const attempt = packRequest(input);
    await expect(attempt).rejects.toMatchObject({ code: 'INTEGRITY' });
    await expect(attempt).rejects.toThrow("'derived/admissions-by-week.csv' no longer matches its pin");
    expect(await listing(path.join(tmp.dir, 'runs'))).toBeUndefined();
  });
});
