import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readPullRequestSource } from '../../action/src/app/pull-request-source.js';
import { releaseRequest } from '../../action/src/app/release.js';
import { readSecretKey } from '../../action/src/crypto/keys.js';
import { createDelivery } from '../../action/src/deliver/choose-delivery.js';
import { startAzurite } from '../deliver/azurite-fixture.js';
import { makeGnupgHome, makeTempDir } from '../pack/pack-fixtures.js';
import {
  createMemoryForge,
  makeReleaseRepo,
  mergeRequest,
  requestId,
  writeOutputFiles,
} from './release-fixtures.js';

describe('release to Azure Blob (Azurite)', () => {
  test('delivers, seals the SAS links to the recipients, and a re-run uploads nothing', async () => {
    await using azurite = await startAzurite();
    await using tmp = await makeTempDir('egress-release-azure-');
    const repo = await makeReleaseRepo();
    repo.files['.egress/config.yaml'] = repo.files['.egress/config.yaml']!.replace(
      '  archive-disk:\n    kind: physical\n    path: delivered/archive\n',
      `  archive-disk:\n    kind: azure-blob\n    account: ${azurite.blobEndpoint}\n    containerPrefix: egress\n    sasExpiryHours: 24\n`,
    );
    await writeOutputFiles(join(tmp.dir, 'outputs'), repo.outputs);
    const forge = createMemoryForge();
    const merged = mergeRequest(forge, repo);
    const secrets: string[] = [];
    const run = async () => {
      const source = await readPullRequestSource(forge, merged.number, {
        configDir: '.egress',
        require: 'merged',
        pushed: { sha: merged.merge, before: merged.base },
      });
      expect(source.refusals).toEqual([]);
      return releaseRequest({
        files: source.files,
        repo: source.repository,
        policy: source.policy!,
        manifestPath: source.manifestPath!,
        outputsDir: join(tmp.dir, 'outputs'),
        reviews: source.reviews,
        evidence: source.evidence,
        signingKey: await readSecretKey(repo.signer.secretArmored, 'signing key'),
        createDelivery,
        deliveryContext: { repoRoot: tmp.dir, secrets: { azureConnectionString: azurite.connectionString } },
        workDir: join(tmp.dir, 'work'),
        createdAt: '2026-03-02T10:00:00Z',
        onSecret: (s) => secrets.push(s),
      });
    };
    const first = await run();
    expect(first.state).toBe('delivered');
    const code = first.collections.find((c) => c.collection === 'analysis-code')!;
    expect(code.sealedAccess).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(code.sealedAccess).not.toContain('sig=');
    expect(JSON.stringify(first)).not.toContain(azurite.accountKey);
    expect(secrets.some((s) => s.includes('sig='))).toBe(true);

    // The recipient: gpg decrypts the links, and the package link reads exactly the package.
    await using gpg = await makeGnupgHome();
    await gpg.importKey(repo.investigator.secretArmored);
    await gpg.importKey(repo.signer.publicArmored);
    const sealed = join(tmp.dir, 'links.asc');
    await writeFile(sealed, code.sealedAccess!);
    const opened = await gpg.gpg(['--status-fd', '2', '--decrypt', sealed]);
    expect(opened.stderr).toContain(`VALIDSIG ${repo.signer.fingerprint}`);
    const links = opened.stdout.split('\n').filter((l) => l.startsWith('http'));
    expect(links).toHaveLength(2);
    const pkgLink = links.find((l) => l.includes(`${requestId}-analysis-code.tar.gpg?`))!;
    const bytes = Buffer.from(await (await fetch(pkgLink)).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(code.receipt.package?.sha256);
    const put = await fetch(pkgLink, {
      method: 'PUT',
      body: 'x',
      headers: { 'x-ms-blob-type': 'BlockBlob' },
    });
    expect(put.status).toBe(403);

    const again = await run();
    expect(again.state).toBe('already-delivered');
    expect(again.collections.every((c) => c.alreadyDelivered)).toBe(true);
  });
});
