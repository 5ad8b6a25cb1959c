import type { RepoConfig, WorkPackage } from '../manifest/config-types.js';
import { parseConfig, parseWorkPackage } from '../manifest/parse-manifest.js';
import { diagnosticAt, type ParsedYaml } from '../manifest/parse-yaml.js';
import { createSchemaValidators, type SchemaValidators } from '../manifest/schema.js';
import type { Diagnostic } from '../shared/diagnostics.js';
import type { RepoFiles } from '../shared/repo-files.js';

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
    diagnostics.push(...parsed.diagnostics);
    config = parsed.value;
    configParsed = parsed.parsed;
  }
  const keys = new Map<string, string>();
  for (const name of (await files.listFiles(`${configDir}/keys`)).sort()) {
    if (!name.endsWith('.asc')) continue;
    const text = await files.readText(`${configDir}/keys/${name}`);
    if (text !== undefined) keys.set(name, text);
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
  const workPackages = new Map<string, WorkPackage>();
  const keyFiles = new Set(keys.keys());
  for (const name of (await files.listFiles(`${configDir}/work-packages`)).sort()) {
    if (!/\.ya?ml$/.test(name)) continue;
    const path = `${configDir}/work-packages/${name}`;
    const text = await files.readText(path);
    if (text === undefined) continue;
    const parsed = parseWorkPackage(text, path, validators, { config, keyFiles });
    diagnostics.push(...parsed.diagnostics);
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
  };
}
