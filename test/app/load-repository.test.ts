import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRepository } from '../../action/src/app/load-repository.js';
import { createFsRepoFiles } from '../../action/src/cli/fs-repo-files.js';
import { runCli } from '../../action/src/cli/run.js';
import { createCapturedIo } from '../cli/cli-io.js';

const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const secretKey = readFileSync(join(examples, '.egress-demo-secrets/investigator.secret.asc'), 'utf8');
const publicKey = readFileSync(join(examples, '.egress/keys/investigator.asc'), 'utf8');

describe('the trusted configuration is checked as strictly as a manifest', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'egress-load-repo-'));
    await cp(examples, root, { recursive: true });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const codes = async () => {
    const repo = await loadRepository(createFsRepoFiles(root));
    return repo.diagnostics.map((d) => `${d.file} ${d.code}`);
  };

  it.each([
    ['a secret key', secretKey, 'secret-key', /SECRET key; \.egress\/keys\/ holds public keys only/],
    ['garbage', 'not a key at all\n', 'invalid-key', /holds no armored OpenPGP key/],
    [
      'a binary export',
      Buffer.from([0x99, 0x01, 0x0d, 0x04, 0x00, 0xff, 0xfe, 0x10]),
      'invalid-key',
      /binary, not an armored key; export the public key with 'gpg --armor --export/,
    ],
    [
      'a damaged armored key',
      `${publicKey.split('\n').slice(0, 4).join('\n')}\n-----END PGP PUBLIC KEY BLOCK-----\n`,
      'invalid-key',
      /OpenPGP cannot read the key/,
    ],
  ])('refuses %s under .egress/keys/, at the file', async (_name, content, code, message) => {
    await writeFile(join(root, '.egress/keys/extra.asc'), content);
    const repo = await loadRepository(createFsRepoFiles(root));
    expect(repo.diagnostics).toEqual([
      expect.objectContaining({
        file: '.egress/keys/extra.asc',
        code,
        severity: 'error',
        message: expect.stringMatching(message),
      }),
    ]);
    // Never quoted back.
    expect(repo.diagnostics[0]!.message).not.toContain('BEGIN PGP');
  });

  it('accepts the example keys', async () => {
    expect(await codes()).toEqual([]);
  });

  it('validate exits 2 on a misspelt role, at its file:line:col', async () => {
    const path = join(root, '.egress/work-packages/dsg-2026-03.yaml');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace('  referee: [carol]', '  referees: [carol]'),
    );
    const io = createCapturedIo(root);
    expect(await runCli(['validate', 'requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(2);
    expect(io.err()).toMatch(
      /^\.egress\/work-packages\/dsg-2026-03\.yaml:10:3: unknown-field: the policy 'turing-dsh' has no role 'referees'; did you mean 'referee'\?/m,
    );
  });

  it('validate exits 2 on a secret key under .egress/keys/', async () => {
    await writeFile(join(root, '.egress/keys/investigator.asc'), secretKey);
    const io = createCapturedIo(root);
    expect(await runCli(['validate', 'requests/dsg-2026-03-summary-statistics.yaml'], io)).toBe(2);
    expect(io.err()).toContain('.egress/keys/investigator.asc: secret-key: the file holds a SECRET key');
    expect(io.err()).not.toContain(secretKey.split('\n\n')[1]!.slice(0, 12));
  });
});
