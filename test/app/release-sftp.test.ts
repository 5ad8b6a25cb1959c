import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readPullRequestSource } from '../../action/src/app/pull-request-source.js';
import { releaseRequest } from '../../action/src/app/release.js';
import { readSecretKey } from '../../action/src/crypto/keys.js';
import { createDelivery } from '../../action/src/deliver/choose-delivery.js';
import { startSshd } from '../deliver/sshd-fixture.js';
import { makeGnupgHome, makeTempDir, runTool } from '../pack/pack-fixtures.js';
import {
  createMemoryForge,
  makeReleaseRepo,
  mergeRequest,
  requestId,
  writeOutputFiles,
} from './release-fixtures.js';

describe('release to SFTP (OpenSSH sshd on 127.0.0.1)', () => {
  test('delivers to the pinned server; gpg decrypts the package there; a re-run uploads nothing', async () => {
    await using sshd = await startSshd();
    await using tmp = await makeTempDir('egress-release-sftp-');
    const repo = await makeReleaseRepo();
    repo.files['.egress/config.yaml'] = repo.files['.egress/config.yaml']!.replace(
      '  archive-disk:\n    kind: physical\n    path: delivered/archive\n',
      `  archive-disk:\n    kind: sftp\n    host: 127.0.0.1\n    port: ${sshd.port}\n    user: ${sshd.user}\n    remoteDir: ${sshd.remoteDir}\n    hostKeyFingerprint: ${sshd.hostKeyFingerprint}\n`,
    );
    await writeOutputFiles(join(tmp.dir, 'outputs'), repo.outputs);
    const forge = createMemoryForge('gitea');
    const merged = mergeRequest(forge, repo);
    const run = async () => {
      const source = await readPullRequestSource(forge, merged.number, {
        configDir: '.egress',
        require: 'merged',
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
        deliveryContext: { repoRoot: tmp.dir, secrets: { sftpPrivateKey: sshd.privateKey } },
        workDir: join(tmp.dir, 'work'),
        createdAt: '2026-03-02T10:00:00Z',
      });
    };
    const first = await run();
    expect(first.state).toBe('delivered');
    const pkg = `${requestId}-analysis-code.tar.gpg`;
    const remote = join(sshd.root, requestId);
    expect((await readdir(remote)).sort()).toEqual([pkg, `${pkg}.receipt.asc`]);
    expect(JSON.stringify(first)).not.toContain('PRIVATE KEY');

    await using gpg = await makeGnupgHome();
    await gpg.importKey(repo.investigator.secretArmored);
    await gpg.importKey(repo.signer.publicArmored);
    const verified = await gpg.gpg(['--status-fd', '1', '--verify', join(remote, `${pkg}.receipt.asc`)]);
    expect(verified.stdout).toContain(`VALIDSIG ${repo.signer.fingerprint}`);
    await gpg.gpg(['--output', join(tmp.dir, 'p.tar'), '--decrypt', join(remote, pkg)]);
    await runTool('tar', ['-xf', 'p.tar'], tmp.dir);
    expect(
      await runTool('sha256sum', ['-c', 'SHA256SUMS'], join(tmp.dir, `${requestId}-analysis-code`)),
    ).toMatch(/files\/code\/plot.py: OK/);

    const again = await run();
    expect(again.state).toBe('already-delivered');
  });
});
