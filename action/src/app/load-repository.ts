import * as openpgp from 'openpgp';
import type { RepoConfig, WorkPackage } from '../manifest/config-types.js';
import { type PolicyRoles, parseConfig, parseWorkPackage } from '../manifest/parse-manifest.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import { createSchemaValidators, type SchemaValidators } from '../manifest/schema.js';
import { createDiagnostic, type Diagnostic } from '../shared/diagnostics.js';
import type { RepoFiles } from '../shared/repo-files.js';
import { loadPolicy } from './load-policy.js';

/** The trusted configuration under `.egress/`, read once (from the base commit in the action). */
export interface LoadedRepository {
  /** Undefined when `.egress/config.yaml` is missing or invalid (see diagnostics). */
  config: RepoConfig;
  workPackages: Map<string, WorkPackage>;
  /** Key file name → armored text. */
  keys: Map<string, string>;
  configDir: string;
  /** Problems in the configuration itself: a configuration error, not an invalid request. */
  diagnostics: Diagnostic[];
  /** Compiled schemas, reused to validate requests against this repository. */
  validators: SchemaValidators;
  /** False when config.yaml could not be read or validated (`config` then holds placeholders). */
  configValid: boolean;
  /** The roles the configured policy names; absent when the policy cannot be loaded. */
  roles?: PolicyRoles;
}

const placeholderConfig: RepoConfig = { policy: '', outputsRoot: '', destinations: {} };

export async function loadRepository(
  files: RepoFiles,
  options: { configDir?: string; validators?: SchemaValidators } = {},
): Promise<LoadedRepository> {
  const configDir = (options.configDir ?? '.egress').replace(/\/+$/, '');
  const validators = options.validators ?? createSchemaValidators();
  const diagnostics: Diagnostic[] = [];
  const configPath = `${configDir}/config.yaml`;
  const configText = await files.readText(configPath);
  let config: RepoConfig | undefined;
  let configParsed: ParsedYaml | undefined;
  if (configText === undefined) {
    diagnostics.push({
      file: configPath,
      line: 0,
      column: 0,
      pointer: '',
      code: 'missing-config',
      severity: 'error',
      message: `no ${configPath} in ${files.label}; is --repo the egress repository root?`,
    });
  } else {
    const parsed = parseConfig(configText, configPath, validators);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    config = parsed.value;
    configParsed = parsed.parsed;
  }
  const keys = new Map<string, string>();
  for (const name of (await files.listFiles(`${configDir}/keys`)).sort()) {
    if (!name.endsWith('.asc')) continue;
    const path = `${configDir}/keys/${name}`;
    const text = await files.readText(path);
    if (text === undefined) continue;
    keys.set(name, text);
    const problem = await checkKeyFile(text);
    if (problem)
      diagnostics.push(
        createDiagnostic({ file: path, line: 0, column: 0, pointer: '', severity: 'error', ...problem }),
      );
  }
  if (config?.signingKey !== undefined && configParsed && !keys.has(config.signingKey)) {
    diagnostics.push(
      diagnosticAt(
        configParsed,
        '/signingKey',
        'unknown-key',
        `signingKey '${config.signingKey}' is not in ${configDir}/keys/: add the egress signing key's public key there.`,
      ),
    );
  }
  // Work packages name the policy's roles; its problems are reported where it is loaded.
  const policy = config ? (await loadPolicy(config.policy, files)).policy : undefined;
  const roles: PolicyRoles | undefined = policy && {
    policy: policy.name,
    classifying: policy.classifyingRoles.map((r) => r.id),
    releasing: policy.releasingRole.id,
  };
  const workPackages = new Map<string, WorkPackage>();
  const keyFiles = new Set(keys.keys());
  for (const name of (await files.listFiles(`${configDir}/work-packages`)).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const path = `${configDir}/work-packages/${name}`;
    const text = await files.readText(path);
    if (text === undefined) continue;
    const parsed = parseWorkPackage(text, path, validators, {
      config,
      keyFiles,
      ...(roles ? { roles } : {}),
    });
    for (const d of parsed.diagnostics) diagnostics.push(d);
    if (parsed.value) workPackages.set(parsed.value.id, parsed.value);
  }
  return {
    config: config ?? placeholderConfig,
    configValid: config !== undefined,
    workPackages,
    keys,
    configDir,
    diagnostics,
    validators,
    ...(roles ? { roles } : {}),
  };
}

const armorBlock = /-----BEGIN PGP ([A-Z ]+)-----[\s\S]*?-----END PGP \1-----/g;

/**
 * A key file under `.egress/keys/` must hold armored OpenPGP public keys and nothing else: a
 * secret key there is refused (the repository is readable by every reviewer), and so are
 * binary exports and files OpenPGP cannot read.
 */
async function checkKeyFile(text: string): Promise<{ code: string; message: string } | undefined> {
  const exportHint = "export the public key with 'gpg --armor --export <fingerprint>'";
  if (!text.includes('-----BEGIN PGP')) {
    // Read as UTF-8, a binary export has NUL bytes or undecodable bytes.
    const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
    return {
      code: 'invalid-key',
      message: binary
        ? `the file is binary, not an armored key; ${exportHint}.`
        : `the file holds no armored OpenPGP key ('-----BEGIN PGP PUBLIC KEY BLOCK-----'); ${exportHint}.`,
    };
  }
  const blocks = text.match(armorBlock) ?? [];
  if (
    /-----BEGIN PGP (PRIVATE|SECRET) KEY BLOCK-----/.test(text) ||
    blocks.some((b) => /^-----BEGIN PGP (PRIVATE|SECRET)/.test(b))
  ) {
    return {
      code: 'secret-key',
      message: `the file holds a SECRET key; .egress/keys/ holds public keys only. Remove it (from the history too), treat that key as exposed, and ${exportHint}.`,
    };
  }
  if (blocks.length === 0 || blocks.some((b) => !b.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----'))) {
    return {
      code: 'invalid-key',
      message: `the file holds an OpenPGP block that is not a public key; ${exportHint}.`,
    };
  }
  for (const block of blocks) {
    let keys: openpgp.Key[];
    try {
      keys = await openpgp.readKeys({ armoredKeys: block });
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      return { code: 'invalid-key', message: `OpenPGP cannot read the key (${reason}); ${exportHint}.` };
    }
    if (keys.some((k) => k.isPrivate())) {
      return {
        code: 'secret-key',
        message: `the file holds a SECRET key; .egress/keys/ holds public keys only. ${exportHint}.`,
      };
    }
  }
  return undefined;
}
