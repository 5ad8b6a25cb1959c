import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliverPackages } from '../../action/src/app/deliver-request.js';
import type { PackedPackage } from '../../action/src/app/pack-request.js';
import { generateDemoKey } from '../../action/src/crypto/generate-key.js';
import { readSecretKey } from '../../action/src/crypto/keys.js';
import { createDelivery } from '../../action/src/deliver/choose-delivery.js';
import type { RepoConfig } from '../../action/src/manifest/config-types.js';
import type { Receipt } from '../../action/src/pack/receipt-types.js';

const config: RepoConfig = {
  policy: 'turing-dsh',
  outputsRoot: 'outputs',
  destinations: { 'provider-disk': { kind: 'physical', path: 'disk' } },
};

const receipt: Receipt = {
  receiptVersion: 1,
  request: { id: 'req-1', title: 'Outputs', workPackage: 'wp', requester: 'erin' },
  collection: { name: 'handover', kind: 'report', destination: 'provider-disk' },
  tier: 1,
  classifications: [],
  files: [],
  excluded: [],
  recipients: [],
  signer: 'ABCD',
  passphrase: false,
  commit: '5f3c9e1a4b2d6c8e0f1a3b5c7d9e1f2a3b4c5d6e',
  merger: 'dora',
  evidence: { source: 'reviews-file', path: 'reviews.yaml' },
  createdAt: '2026-11-21T12:00:00Z',
};

describe('deliverPackages', () => {
  let root: string;
  let packages: PackedPackage[];
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'egress-deliver-'));
    await mkdir(join(root, 'packages'));
    const path = join(root, 'packages', 'req-1-handover.tar.gpg');
    await writeFile(path, 'encrypted bytes');
    const sha256 = createHash('sha256').update('encrypted bytes').digest('hex');
    packages = [
      {
        collection: 'handover',
        receipt,
        package: { path, file: 'req-1-handover.tar.gpg', sha256, size: 15, archiveBytes: 10 },
      },
    ];
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('is safe to run again: the second run finds everything delivered and changes nothing', async () => {
    const key = await generateDemoKey('Egress', 'egress@tre.example');
    const signingKey = await readSecretKey(key.privateKey, 'signing key');
    const first = await deliverPackages({
      packages,
      config,
      signingKey,
      createDelivery,
      context: { repoRoot: root, secrets: {}, now: () => new Date('2026-11-21T12:30:00Z') },
    });
    const delivered = join(root, 'disk', 'req-1', 'req-1-handover.tar.gpg.receipt.asc');
    const receiptBytes = await readFile(delivered, 'utf8');
    expect(first[0]?.alreadyDelivered).toBe(false);
    expect(receiptBytes).toContain('"sha256": "');

    const second = await deliverPackages({
      packages,
      config,
      signingKey,
      createDelivery,
      context: { repoRoot: root, secrets: {}, now: () => new Date('2026-11-21T12:30:00Z') },
    });
    expect(second[0]?.alreadyDelivered).toBe(true);
    expect(await readFile(delivered, 'utf8')).toBe(receiptBytes);
  });

  it('never writes a pending receipt beside a receipt whose package was replaced', async () => {
    const key = await generateDemoKey('Egress', 'egress@tre.example');
    const signingKey = await readSecretKey(key.privateKey, 'signing key');
    const run = () =>
      deliverPackages({
        packages,
        config,
        signingKey,
        createDelivery,
        context: { repoRoot: root, secrets: {}, now: () => new Date('2026-11-21T12:30:00Z') },
      });
    await run();
    const folder = join(root, 'disk', 'req-1');
    await writeFile(join(folder, 'req-1-handover.tar.gpg'), "someone else's package");
    await expect(run()).rejects.toThrow(/already exists with different content \(its receipt is there too\)/);
    expect((await readdir(folder)).sort()).toEqual([
      'req-1-handover.tar.gpg',
      'req-1-handover.tar.gpg.receipt.asc',
    ]);
  });

  it('never overwrites a delivered receipt with one that says something else', async () => {
    const key = await generateDemoKey('Egress', 'egress@tre.example');
    const signingKey = await readSecretKey(key.privateKey, 'signing key');
    await deliverPackages({
      packages,
      config,
      signingKey,
      createDelivery,
      context: { repoRoot: root, secrets: {}, now: () => new Date('2026-11-21T12:30:00Z') },
    });
    const changed = packages.map((p) => ({ ...p, receipt: { ...p.receipt, tier: 0 } }));
    await expect(
      deliverPackages({
        packages: changed,
        config,
        signingKey,
        createDelivery,
        context: { repoRoot: root, secrets: {}, now: () => new Date('2026-11-21T12:30:00Z') },
      }),
    ).rejects.toThrow(/already exists with different content/);
    // Refused before anything was written: no pending receipt is left beside the delivery.
    expect((await readdir(join(root, 'disk', 'req-1'))).sort()).toEqual([
      'req-1-handover.tar.gpg',
      'req-1-handover.tar.gpg.receipt.asc',
    ]);
  });
});
