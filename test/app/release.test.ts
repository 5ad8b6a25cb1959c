import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readPullRequestSource } from '../../action/src/app/pull-request-source.js';
import { releaseRequest } from '../../action/src/app/release.js';
import { readSecretKey } from '../../action/src/crypto/keys.js';
import { createDelivery } from '../../action/src/deliver/choose-delivery.js';
import type { CreateDelivery } from '../../action/src/deliver/delivery.js';
import type { Policy } from '../../action/src/policy/types.js';
import { makeGnupgHome, makeTempDir, runTool } from '../pack/pack-fixtures.js';
import {
  approvals,
  createMemoryForge,
  type MemoryForge,
  makeReleaseRepo,
  mergeRequest,
  type ReleaseRepo,
  requestId,
  requestPath,
  writeOutputFiles,
} from './release-fixtures.js';

/** Counts every file handed to an adapter, so "uploads nothing" is observable. */
function countingDelivery(): { create: CreateDelivery; sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    create(name, destination, context) {
      const inner = createDelivery(name, destination, context);
      return {
        ...inner,
        readExisting: inner.readExisting.bind(inner),
        close: inner.close.bind(inner),
        deliver(folder, files, onProgress) {
          sent.push(...files.map((f) => `${name}:${folder}/${f.remoteName}`));
          return inner.deliver(folder, files, onProgress);
        },
      };
    },
  };
}

const LINK_SECRET = 'sig=CANARYLINKSECRET';

/** As an Azure destination does: a secret access link for every file of a delivery. */
function withLinks(create: CreateDelivery): CreateDelivery {
  return (name, destination, context) => {
    const inner = create(name, destination, context);
    const links = (folder: string, names: readonly string[]) =>
      names.map((remoteName) => ({
        remoteName,
        url: `https://blob.example/${folder}/${remoteName}?${LINK_SECRET}`,
        expiresAt: '2026-03-05T10:00:00Z',
      }));
    return {
      ...inner,
      async deliver(folder, files, onProgress) {
        const result = await inner.deliver(folder, files, onProgress);
        return {
          ...result,
          accessUrls: links(
            folder,
            files.map((f) => f.remoteName),
          ),
        };
      },
      async accessLinks(folder, names) {
        return links(folder, names);
      },
    };
  };
}

/** An adapter that dies on the given package: after it arrived, or just before it is sent. */
function killedAt(packageFile: string, when: 'after-package' | 'before-package'): CreateDelivery {
  return (name, destination, context) => {
    const inner = createDelivery(name, destination, context);
    return {
      ...inner,
      async deliver(folder, files, onProgress) {
        if (files[0]?.remoteName !== packageFile) return inner.deliver(folder, files, onProgress);
        if (when === 'after-package') await inner.deliver(folder, [files[0]], onProgress);
        throw new Error('killed');
      },
    };
  };
}

async function release(
  forge: MemoryForge,
  repo: ReleaseRepo,
  workspace: string,
  number: number,
  options: {
    pushed?: { sha: string; before?: string };
    create?: CreateDelivery;
    policy?: (policy: Policy) => Policy;
  } = {},
) {
  const source = await readPullRequestSource(forge, number, {
    configDir: '.egress',
    protectedBranch: 'main',
    require: 'merged',
    ...(options.pushed ? { pushed: options.pushed } : {}),
  });
  if (source.refusals.length > 0) return { source, outcome: undefined };
  const outcome = await releaseRequest({
    files: source.files,
    repo: source.repository,
    policy: options.policy ? options.policy(structuredClone(source.policy!)) : source.policy!,
    manifestPath: source.manifestPath!,
    outputsDir: join(workspace, 'outputs'),
    reviews: source.reviews,
    evidence: source.evidence,
    signingKey: await readSecretKey(repo.signer.secretArmored, 'signing key'),
    createDelivery: options.create ?? createDelivery,
    deliveryContext: { repoRoot: workspace, secrets: {}, actor: 'dora' },
    workDir: join(workspace, 'work'),
    createdAt: '2026-03-02T10:00:00Z',
  });
  return { source, outcome };
}

async function setup() {
  const tmp = await makeTempDir('egress-release-');
  const repo = await makeReleaseRepo();
  await writeOutputFiles(join(tmp.dir, 'outputs'), repo.outputs);
  return { tmp, repo, forge: createMemoryForge() };
}

describe('the release flow (merge → re-evaluate → pack → deliver)', () => {
  test('a merged request is delivered: gpg decrypts each package to exactly the pinned files, receipts verify', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const { source, outcome } = await release(forge, repo, tmp.dir, merged.number, {
      pushed: { sha: merged.merge, before: merged.base },
    });
    expect(source.refusals).toEqual([]);
    expect(source.configCommit).toBe(merged.base);
    expect(outcome?.state).toBe('delivered');
    expect(outcome?.collections.map((c) => [c.collection, c.alreadyDelivered])).toEqual([
      ['report-inputs', false],
      ['analysis-code', false],
    ]);

    await using gpg = await makeGnupgHome();
    await gpg.importKey(repo.investigator.secretArmored);
    await gpg.importKey(repo.signer.publicArmored);
    for (const [collection, disk, files] of [
      ['report-inputs', 'researcher', ['report/findings.md', 'report/table-1.csv']],
      ['analysis-code', 'archive', ['code/plot.py']],
    ] as const) {
      const dir = join(tmp.dir, 'delivered', disk, requestId);
      const pkg = `${requestId}-${collection}.tar.gpg`;
      expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.asc`]);
      const verified = await gpg.gpg(['--status-fd', '1', '--verify', join(dir, `${pkg}.receipt.asc`)]);
      expect(verified.stdout).toContain(`VALIDSIG ${repo.signer.fingerprint}`);
      const receipt = await readFile(join(dir, `${pkg}.receipt.asc`), 'utf8');
      expect(receipt).toMatch(/"evidence": \{\s*"source": "forge",\s*"pullRequest": 7/);
      expect(receipt).toContain('"reviewId": "100"');
      expect(receipt).toContain(`"merger": "dora"`);
      expect(receipt).toMatch(/"custody": \{\s*"by": "dora",/);
      expect(receipt).toContain(
        `"location": "${disk === 'researcher' ? 'researcher-disk' : 'archive-disk'}:${requestId}/${pkg}"`,
      );
      const out = join(tmp.dir, `open-${collection}`);
      await runTool('mkdir', ['-p', out]);
      await gpg.gpg(['--output', join(out, 'p.tar'), '--decrypt', join(dir, pkg)]);
      await runTool('tar', ['-xf', 'p.tar'], out);
      const root = join(out, `${requestId}-${collection}`);
      expect(await runTool('sha256sum', ['-c', 'SHA256SUMS'], root)).toMatch(/OK/);
      const listed = (await runTool('find', ['files', '-type', 'f'], root)).trim().split('\n').sort();
      expect(listed).toEqual(files.map((f) => `files/${f}`).sort());
    }
  });

  test('a re-run finds the receipts at the destinations and uploads nothing', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const first = countingDelivery();
    await release(forge, repo, tmp.dir, merged.number, { create: first.create });
    // Per collection: the pending receipt, the package, the receipt.
    expect(first.sent).toHaveLength(6);
    const second = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: second.create });
    expect(outcome?.state).toBe('already-delivered');
    expect(outcome?.passed).toBe(true);
    expect(second.sent).toEqual([]);
    expect(outcome?.collections.every((c) => c.alreadyDelivered)).toBe(true);
  });

  test('a collection missing at its destination is delivered, the delivered one is not sent again', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    await release(forge, repo, tmp.dir, merged.number);
    await runTool('rm', ['-rf', join(tmp.dir, 'delivered', 'archive')]);
    const again = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: again.create });
    expect(outcome?.state).toBe('delivered');
    expect(again.sent).toEqual([
      `archive-disk:${requestId}/${requestId}-analysis-code.tar.gpg.receipt.pending.asc`,
      `archive-disk:${requestId}/${requestId}-analysis-code.tar.gpg`,
      `archive-disk:${requestId}/${requestId}-analysis-code.tar.gpg.receipt.asc`,
    ]);
  });

  test('a run killed between a package and its receipt: the next run completes it with the receipt it signed, and its links', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const pkg = `${requestId}-analysis-code.tar.gpg`;
    await expect(
      release(forge, repo, tmp.dir, merged.number, { create: killedAt(pkg, 'after-package') }),
    ).rejects.toThrow(/killed/);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.pending.asc`]);
    const pending = await readFile(join(dir, `${pkg}.receipt.pending.asc`), 'utf8');
    const packageSha = createHash('sha256')
      .update(await readFile(join(dir, pkg)))
      .digest('hex');
    const packageInode = (await stat(join(dir, pkg))).ino;

    const again = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, {
      create: withLinks(again.create),
    });
    expect(outcome?.state).toBe('delivered');
    const completed = outcome?.collections.find((c) => c.collection === 'analysis-code');
    expect(completed?.alreadyDelivered).toBe(false);
    // The killed run posted no links: this one hands them out, sealed to the recipients.
    expect(completed?.sealedAccess).toContain('-----BEGIN PGP MESSAGE-----');
    expect(JSON.stringify(outcome)).not.toContain(LINK_SECRET);
    expect(outcome?.collections.find((c) => c.collection === 'report-inputs')?.alreadyDelivered).toBe(true);
    // Only the receipt is sent; the package was checked once, before anything was written.
    expect(again.sent).toEqual([`archive-disk:${requestId}/${pkg}.receipt.asc`]);
    expect((await stat(join(dir, pkg))).ino).toBe(packageInode);
    expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.asc`]);
    const receipt = await readFile(join(dir, `${pkg}.receipt.asc`), 'utf8');
    expect(receipt).toBe(pending);
    expect(receipt).toContain(`"sha256": "${packageSha}"`);
    await using gpg = await makeGnupgHome();
    await gpg.importKey(repo.signer.publicArmored);
    const verified = await gpg.gpg(['--status-fd', '1', '--verify', join(dir, `${pkg}.receipt.asc`)]);
    expect(verified.stdout).toContain(`VALIDSIG ${repo.signer.fingerprint}`);
  });

  test('an interrupted collection is completed only once the others are delivered', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const first = `${requestId}-report-inputs.tar.gpg`;
    const second = `${requestId}-analysis-code.tar.gpg`;
    await expect(
      release(forge, repo, tmp.dir, merged.number, { create: killedAt(first, 'after-package') }),
    ).rejects.toThrow(/killed/);
    const firstDir = join(tmp.dir, 'delivered', 'researcher', requestId);
    expect((await readdir(firstDir)).sort()).toEqual([first, `${first}.receipt.pending.asc`]);
    // The next run fails on the other collection: the interrupted one is left for the run after.
    await expect(
      release(forge, repo, tmp.dir, merged.number, { create: killedAt(second, 'before-package') }),
    ).rejects.toThrow(/killed/);
    expect((await readdir(firstDir)).sort()).toEqual([first, `${first}.receipt.pending.asc`]);

    const { outcome } = await release(forge, repo, tmp.dir, merged.number, {
      create: withLinks(createDelivery),
    });
    expect(outcome?.state).toBe('delivered');
    expect(
      outcome?.collections.map((c) => [c.collection, c.alreadyDelivered, c.sealedAccess !== undefined]),
    ).toEqual([
      ['report-inputs', false, true],
      ['analysis-code', false, true],
    ]);
    expect((await readdir(firstDir)).sort()).toEqual([first, `${first}.receipt.asc`]);
    const secondDir = join(tmp.dir, 'delivered', 'archive', requestId);
    expect((await readdir(secondDir)).sort()).toEqual([second, `${second}.receipt.asc`]);
  });

  test('a run killed after the receipt, before removing the pending copy: the next run removes it', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    await release(forge, repo, tmp.dir, merged.number);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    const pkg = `${requestId}-analysis-code.tar.gpg`;
    await copyFile(join(dir, `${pkg}.receipt.asc`), join(dir, `${pkg}.receipt.pending.asc`));
    const { outcome } = await release(forge, repo, tmp.dir, merged.number);
    expect(outcome?.state).toBe('already-delivered');
    expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.asc`]);
  });

  test('a pending receipt beside a package it does not describe stops the request; both are left', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    await release(forge, repo, tmp.dir, merged.number);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    const pkg = `${requestId}-analysis-code.tar.gpg`;
    await rename(join(dir, `${pkg}.receipt.asc`), join(dir, `${pkg}.receipt.pending.asc`));
    await rm(join(dir, pkg));
    await writeFile(join(dir, pkg), 'another package\n');
    const counted = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: counted.create });
    expect(outcome?.state).toBe('conflict');
    expect(outcome?.reasons.join(' ')).toMatch(
      /is not the package its pending receipt describes; both were left/,
    );
    expect(counted.sent).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.pending.asc`]);
    expect(await readFile(join(dir, pkg), 'utf8')).toBe('another package\n');
  });

  test('a package with no receipt at all (an earlier egress-gate): refused before anything is written', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    await release(forge, repo, tmp.dir, merged.number);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    const pkg = `${requestId}-analysis-code.tar.gpg`;
    await rm(join(dir, `${pkg}.receipt.asc`));
    // The other collection is not delivered yet, so it would be sent were this not all or nothing.
    await rm(join(tmp.dir, 'delivered', 'researcher'), { recursive: true });
    const counted = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: counted.create });
    expect(outcome?.state).toBe('conflict');
    expect(outcome?.reasons.join(' ')).toMatch(
      /already at the destination without a receipt .* Remove that file at the destination and re-run/,
    );
    expect(counted.sent).toEqual([]);
    expect(await readdir(dir)).toEqual([pkg]);
  });

  test('a run killed after the pending receipt, before the package: the next run delivers afresh', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const pkg = `${requestId}-analysis-code.tar.gpg`;
    await expect(
      release(forge, repo, tmp.dir, merged.number, { create: killedAt(pkg, 'before-package') }),
    ).rejects.toThrow(/killed/);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    expect(await readdir(dir)).toEqual([`${pkg}.receipt.pending.asc`]);
    const stale = await readFile(join(dir, `${pkg}.receipt.pending.asc`), 'utf8');

    const { outcome } = await release(forge, repo, tmp.dir, merged.number);
    expect(outcome?.state).toBe('delivered');
    expect((await readdir(dir)).sort()).toEqual([pkg, `${pkg}.receipt.asc`]);
    const receipt = await readFile(join(dir, `${pkg}.receipt.asc`), 'utf8');
    expect(receipt).not.toBe(stale);
    const packageSha = createHash('sha256')
      .update(await readFile(join(dir, pkg)))
      .digest('hex');
    expect(receipt).toContain(`"sha256": "${packageSha}"`);
  });

  test('a pending receipt that is not ours blocks the request and is left as it is', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    await runTool('mkdir', ['-p', dir]);
    const pending = join(dir, `${requestId}-analysis-code.tar.gpg.receipt.pending.asc`);
    await writeFile(pending, 'planted\n');
    const counted = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: counted.create });
    expect(outcome?.state).toBe('conflict');
    expect(outcome?.reasons.join(' ')).toMatch(
      /receipt\.pending\.asc is already at the destination but is not signed by this egress signing key/,
    );
    expect(counted.sent).toEqual([]);
    expect(await readFile(pending, 'utf8')).toBe('planted\n');
  });

  test('a merger without the releasing role delivers nothing', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo, { mergedBy: 'carol' });
    const counted = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: counted.create });
    expect(outcome?.state).toBe('not-cleared');
    expect(outcome?.reasons.join(' ')).toMatch(
      /@?carol merged the pull request but is not a System Manager/i,
    );
    expect(counted.sent).toEqual([]);
    await expect(readdir(join(tmp.dir, 'delivered'))).rejects.toThrow();
  });

  test('one uncleared collection: no collection is delivered', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo, {
      reviews: (head) => {
        const reviews = approvals(head, 'tier report-inputs: 1\ntier analysis-code: 1');
        reviews[2]!.body = 'tier report-inputs: 1\ntier analysis-code: 0';
        return reviews;
      },
    });
    const counted = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: counted.create });
    expect(outcome?.state).toBe('not-cleared');
    expect(outcome?.reasons.join(' ')).toMatch(/analysis-code' is needs-discussion/);
    expect(counted.sent).toEqual([]);
    await expect(readdir(join(tmp.dir, 'delivered'))).rejects.toThrow();
  });

  test('a blocking disclosure rule: a finding blocks delivery naming the rule; clean outputs are delivered', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const strict = (rule: string, threshold?: number) => (policy: Policy) => {
      policy.name = 'strict';
      policy.disclosure.rules = {
        [rule]: { severity: 'blocking', ...(threshold !== undefined ? { threshold } : {}) },
      };
      return policy;
    };
    const counted = countingDelivery();
    // The counts 120 and 140 in report/table-1.csv are below this threshold.
    const blocked = await release(forge, repo, tmp.dir, merged.number, {
      create: counted.create,
      policy: strict('small-cell', 1_000_000),
    });
    expect(blocked.outcome?.state).toBe('not-cleared');
    expect(blocked.outcome?.reasons.join(' ')).toContain(
      "disclosure rule 'small-cell' is blocking in policy strict: report/table-1.csv",
    );
    expect(counted.sent).toEqual([]);
    await expect(readdir(join(tmp.dir, 'delivered'))).rejects.toThrow();
    // A blocking rule with nothing to find: the scanned outputs clear and are delivered.
    const clean = await release(forge, repo, tmp.dir, merged.number, { policy: strict('nhs-number') });
    expect(clean.outcome?.state).toBe('delivered');
  });

  test('approvals on an older commit than the final head do not count at release', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo, {
      reviews: () => approvals('0123456789abcdef0123456789abcdef01234567'),
    });
    const { outcome } = await release(forge, repo, tmp.dir, merged.number);
    expect(outcome?.state).toBe('not-cleared');
  });

  test('a manifest changed at the merge commit is refused', async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const tampered = forge.commit([merged.base, merged.head], {
      'requests/wp1-2026-paper.yaml': repo.manifest({ title: 'Something else' }),
    });
    forge.pulls.get(merged.number)!.mergeCommitSha = tampered;
    const { source } = await release(forge, repo, tmp.dir, merged.number);
    expect(source.refusals.join(' ')).toMatch(/differs from the one the reviewers approved/);
  });

  test('a squash merge reads the configuration at its parent; without the push it is refused', async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo, { how: 'squash' });
    const pushed = await release(forge, repo, tmp.dir, merged.number, {
      pushed: { sha: merged.merge, before: merged.base },
    });
    expect(pushed.source.configCommit).toBe(merged.base);
    expect(pushed.outcome?.state).toBe('delivered');
    const closedEvent = await readPullRequestSource(forge, merged.number, {
      configDir: '.egress',
      require: 'merged',
    });
    expect(closedEvent.refusals.join(' ')).toMatch(/squashed or rebased/);
  });

  test("a rebase merge reads the configuration at the push's before, not at a rebased pull request commit", async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo, { how: 'rebase' });
    const source = await readPullRequestSource(forge, merged.number, {
      configDir: '.egress',
      require: 'merged',
      pushed: { sha: merged.merge, before: merged.base },
    });
    expect(source.configCommit).toBe(merged.base);
    expect(source.repository.workPackages.get('wp1')?.roles['referee']).toEqual(['carol']);
    const forged = await readPullRequestSource(forge, merged.number, {
      configDir: '.egress',
      require: 'merged',
      pushed: { sha: merged.merge, before: forge.commit(undefined, repo.files) },
    });
    expect(forged.refusals.join(' ')).toMatch(/not an ancestor/);
  });

  test('a receipt at the destination that says something else, or is not ours, blocks the whole request', async () => {
    const { tmp, repo, forge } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const dir = join(tmp.dir, 'delivered', 'archive', requestId);
    await runTool('mkdir', ['-p', dir]);
    await writeFile(join(dir, `${requestId}-analysis-code.tar.gpg.receipt.asc`), 'not a signed receipt\n');
    const counted = countingDelivery();
    const { outcome } = await release(forge, repo, tmp.dir, merged.number, { create: counted.create });
    expect(outcome?.state).toBe('conflict');
    expect(outcome?.reasons.join(' ')).toMatch(/not signed by this egress signing key/);
    expect(counted.sent).toEqual([]);
  });

  test('a pull request against another branch is refused', async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    forge.pulls.get(merged.number)!.baseRef = 'staging';
    const { source } = await release(forge, repo, tmp.dir, merged.number);
    expect(source.refusals.join(' ')).toMatch(/not the protected branch 'main'/);
  });
  test('a request merged before as .yml is not delivered again as .yaml', async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const earlier = { ...repo, files: { ...repo.files, 'requests/wp1-2026-paper.yml': repo.manifest() } };
    const merged = mergeRequest(forge, earlier);
    const { source, outcome } = await release(forge, repo, tmp.dir, merged.number);
    expect(outcome).toBeUndefined();
    expect(source.refusals.join(' ')).toMatch(
      /requests\/wp1-2026-paper\.yml already existed on the protected branch/,
    );
  });

  test('a large-directory listing the pull request adds is read from its head, like review reads it', async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    const listing = `requests/${requestId}/wards/wards.sha256`;
    const text = `${'0'.repeat(64)}  wards/a.csv\n`;
    const head = forge.commit(merged.head, { [listing]: text });
    const pull = forge.pulls.get(merged.number)!;
    pull.headSha = head;
    pull.mergeCommitSha = forge.commit([merged.base, head], {
      [requestPath]: repo.manifest(),
      [listing]: text,
    });
    pull.files = [...pull.files, listing];
    pull.reviews = approvals(head);
    const { source } = await release(forge, repo, tmp.dir, merged.number);
    expect(source.refusals).toEqual([]);
    expect(await source.files.readText(listing)).toBe(text);
  });

  test('a pull request whose changed files the forge listed only in part is refused', async () => {
    const { repo, forge, tmp } = await setup();
    await using _ = tmp;
    const merged = mergeRequest(forge, repo);
    forge.pulls.get(merged.number)!.changedFilesCount = 3001;
    const { source, outcome } = await release(forge, repo, tmp.dir, merged.number);
    expect(outcome).toBeUndefined();
    expect(source.refusals.join(' ')).toMatch(/listed only 1 of the 3001 files/);
  });
});
