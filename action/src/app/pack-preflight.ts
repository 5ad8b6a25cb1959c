/**
 * The checks `packRequest` makes before it writes a single byte: the signing key is the configured
 * one, no passphrase opens a sensitive package, every item is where its pin says, and no package or
 * receipt already sits under a final name. A run that passes these can still fail while packing (a
 * file whose bytes changed, a full disk); then everything it wrote is removed again.
 */
import { constants } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as openpgp from 'openpgp';
import { formatFingerprint, readPublicKeys } from '../crypto/keys.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Manifest } from '../manifest/types.js';
import { resolveItem, resolveOutputsRoot } from '../pack/outputs.js';
import type { Policy } from '../policy/types.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { LoadedRepository } from './load-repository.js';
import { createOutputsResolver, type OutputsResolver } from './outputs-resolver.js';

/** Refuses a signing key other than the one `.egress/config.yaml` names, saying which was expected. */
export async function checkSigningKey(repo: LoadedRepository, signingKey: openpgp.PrivateKey): Promise<void> {
  const configPath = `${repo.configDir}/config.yaml`;
  const name = repo.config.signingKey;
  if (name === undefined) {
    throw new EgressError(
      'CONFIG',
      `${configPath} names no egress signing key: add 'signingKey: <file>' naming its public key under ${repo.configDir}/keys/ (e.g. egress-signing.asc); packages are signed by that key only.`,
    );
  }
  const keyPath = `${repo.configDir}/keys/${name}`;
  const armored = repo.keys.get(name);
  if (armored === undefined) {
    throw new EgressError(
      'CONFIG',
      `${configPath} names the signing key '${name}', but ${keyPath} does not exist; add the egress signing key's public key there.`,
    );
  }
  const expected = (await readPublicKeys(armored, keyPath)).map(formatFingerprint);
  const actual = formatFingerprint(signingKey);
  if (!expected.includes(actual)) {
    throw new EgressError(
      'CONFIG',
      `the signing key ${actual} is not the egress signing key: ${configPath} names ${keyPath}, fingerprint ${expected.join(' or ')}. Sign with that key's secret half.`,
    );
  }
}

/** From the policy's sensitive tier (Turing: 2), a package must open with the provider's keys only. */
export function checkPassphraseAllowed(
  policy: Policy,
  passwords: readonly string[] | undefined,
  collections: readonly { name: string; tier: number }[],
): void {
  if (!passwords || passwords.length === 0) return;
  const sensitive = collections.filter((c) => c.tier >= policy.sensitive.fromTier);
  if (sensitive.length === 0) return;
  const which = sensitive.map((c) => `'${c.name}' (tier ${c.tier})`).join(', ');
  throw new EgressError(
    'USAGE',
    `a package passphrase cannot be used: ${which} must open with the data provider's keys only (policy ${policy.name}: from tier ${policy.sensitive.fromTier}, no passphrase may open a package). Leave out the package passphrase; nothing was packed.`,
  );
}

export interface PlannedItem {
  /** JSON pointer of the item in the manifest. */
  pointer: string;
  path: string;
  size: number;
}

/**
 * Every item that will be packed exists under the outputs root as a regular file (a directory must
 * be locked into files first), stays inside it after symlinks, and has its pinned size. Hashes are
 * checked while packing, so each file is read once.
 */
export async function checkPackedItems(
  document: ParsedYaml,
  outputsDir: string,
  items: readonly PlannedItem[],
  /** The run's resolver for this root (the disclosure scan's), whose answers are reused. */
  outputs?: OutputsResolver,
): Promise<Diagnostic[]> {
  let root: string;
  try {
    root = await resolveOutputsRoot(outputsDir);
  } catch (error) {
    throw new EgressError('CONFIG', `the outputs root '${outputsDir}' does not exist or cannot be read`, {
      cause: error,
    });
  }
  const out: Diagnostic[] = [];
  const resolver = outputs?.root === root ? outputs : createOutputsResolver(root);
  for (const item of items) {
    // The common case in a few system calls; anything else through `resolveItem` for the exact words.
    if (resolver.plainFile(item.path)?.size === item.size) continue;
    const at = (suffix: string, code: string, message: string) =>
      out.push(diagnosticAt(document, `${item.pointer}${suffix}`, code, message));
    const resolution = await resolveItem(root, item.path);
    if (!resolution.ok) {
      at('/path', resolution.code, `${resolution.message}; nothing was packed.`);
    } else if (resolution.directory) {
      at(
        '/path',
        'unlocked-directory',
        `'${item.path}' is a directory; run 'egress-gate lock' to list and pin its files.`,
      );
    } else {
      const size = (await stat(resolution.files[0]!.absolutePath)).size;
      if (size !== item.size) {
        at(
          '/size',
          'size-mismatch',
          `'${item.path}' is ${size} bytes on disk but pinned as ${item.size}: the file changed since it was locked; nothing was packed.`,
        );
      }
    }
  }
  return out;
}

/**
 * `outDir` is a writable directory (or can be created), and none of the final names is taken.
 * Returns the folders packing will create (deepest first), so a failed run can remove them again.
 */
export async function checkOutDir(
  outDir: string,
  finalNames: readonly string[],
): Promise<{ created: string[] }> {
  const info = await lstat(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new EgressError('USAGE', `cannot use --out '${outDir}': ${error.code ?? 'error'}`, {
      cause: error,
    });
  });
  if (info && !info.isDirectory()) {
    throw new EgressError('USAGE', `--out '${outDir}' exists and is not a directory; nothing was packed.`);
  }
  let probe = outDir;
  const created: string[] = [];
  if (!info) {
    // The nearest existing ancestor must be a directory we may create entries in.
    created.push(outDir);
    for (;;) {
      probe = path.dirname(probe);
      const found = await lstat(probe).then(
        () => true,
        () => false,
      );
      if (found) break;
      created.push(probe);
    }
  }
  try {
    await access(probe, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new EgressError(
      'USAGE',
      `cannot write into '${probe}' (${(error as NodeJS.ErrnoException).code ?? 'error'}); choose another --out. Nothing was packed.`,
      { cause: error },
    );
  }
  if (info) {
    const taken: string[] = [];
    for (const name of finalNames) {
      if (
        await lstat(path.join(outDir, name)).then(
          () => true,
          () => false,
        )
      )
        taken.push(name);
    }
    if (taken.length > 0) {
      throw new EgressError(
        'USAGE',
        `${taken.map((n) => `'${path.join(outDir, n)}'`).join(', ')} already exist${taken.length === 1 ? 's' : ''}: a package or receipt is never replaced. Move ${taken.length === 1 ? 'it' : 'them'} away or choose another --out; nothing was packed.`,
      );
    }
  }
  return { created };
}

/** Names of the manifest's items, with their JSON pointers, for the collections being packed. */
export function planItems(
  manifest: Manifest,
  packed: ReadonlySet<string>,
  excluded: ReadonlyMap<string, ReadonlySet<string>>,
): { items: PlannedItem[]; unpinned: { pointer: string; path: string; collection: string }[] } {
  const items: PlannedItem[] = [];
  const unpinned: { pointer: string; path: string; collection: string }[] = [];
  manifest.collections.forEach((collection, c) => {
    if (!packed.has(collection.name)) return;
    collection.items.forEach((item, i) => {
      if (excluded.get(collection.name)?.has(item.path)) return;
      const pointer = `/collections/${c}/items/${i}`;
      if (item.sha256 === undefined || item.size === undefined) {
        unpinned.push({ pointer, path: item.path, collection: collection.name });
      } else {
        items.push({ pointer, path: item.path, size: item.size });
      }
    });
  });
  return { items, unpinned };
}
