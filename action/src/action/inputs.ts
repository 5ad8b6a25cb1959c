import type { DestinationSecrets } from '../deliver/delivery.js';
import type { ForgeChoice } from '../forge/choose-forge.js';
import { EgressError } from '../shared/errors.js';

/** The action's inputs (action.yml), read once and checked. */
export interface ActionInputs {
  mode: 'auto' | 'review' | 'release';
  token: string;
  forge: ForgeChoice;
  configDir: string;
  outputsRoot?: string;
  /** The protected branch requests must target; default: the repository's default branch. */
  baseBranch?: string;
  /** Every secret input that was given, so it can be masked everywhere. */
  secrets: string[];
  /** Release mode: the armored egress signing key and its passphrase. */
  signingKey?: string;
  signingKeyPassphrase?: string;
  /** Release mode: credentials for the destinations. */
  destinationSecrets: DestinationSecrets;
}

/** What the runner tells every action through its environment (GitHub and Gitea use the same names). */
export interface RunnerContext {
  eventName: string;
  eventPath: string;
  /** `owner/repo`. */
  repository: string;
  apiUrl: string;
  serverUrl?: string;
  runId?: string;
  workspace: string;
  env: Record<string, string | undefined>;
}

const secretInputs = [
  'signing-key',
  'signing-key-passphrase',
  'azure-connection-string',
  'azure-account-key',
  'sftp-private-key',
  'sftp-private-key-passphrase',
];

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[], fallback: T): T {
  if (value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new EgressError(
    'USAGE',
    `input '${name}' is '${value}'; use one of ${allowed.map((a) => `'${a}'`).join(', ')}.`,
  );
}

export function readInputs(getInput: (name: string) => string): ActionInputs {
  const token = getInput('token');
  if (token === '') {
    throw new EgressError(
      'USAGE',
      "input 'token' is empty; leave it unset to use the workflow token, or pass a token secret.",
    );
  }
  const configDir = (getInput('config-dir') || '.egress').replace(/\/+$/, '');
  if (configDir.startsWith('/') || configDir.split('/').includes('..')) {
    throw new EgressError(
      'USAGE',
      `input 'config-dir' is '${configDir}'; it must be a path inside the repository (no '..', not absolute).`,
    );
  }
  const outputsRoot = getInput('outputs-root');
  const baseBranch = getInput('base-branch');
  return {
    mode: oneOf('mode', getInput('mode'), ['auto', 'review', 'release'] as const, 'auto'),
    token,
    forge: oneOf('forge', getInput('forge'), ['auto', 'github', 'gitea', 'forgejo'] as const, 'auto'),
    configDir,
    ...(outputsRoot ? { outputsRoot } : {}),
    ...(baseBranch ? { baseBranch } : {}),
    secrets: secretInputs.map(getInput).filter((s) => s !== ''),
    ...optional('signingKey', getInput('signing-key')),
    ...optional('signingKeyPassphrase', getInput('signing-key-passphrase')),
    destinationSecrets: {
      ...optional('azureConnectionString', getInput('azure-connection-string')),
      ...optional('azureAccountKey', getInput('azure-account-key')),
      ...optional('sftpPrivateKey', getInput('sftp-private-key')),
      ...optional('sftpPrivateKeyPassphrase', getInput('sftp-private-key-passphrase')),
    },
  };
}

function optional<K extends string>(key: K, value: string): { [P in K]?: string } {
  return (value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}

export function readRunnerContext(env: Record<string, string | undefined>): RunnerContext {
  const need = (name: string): string => {
    const value = env[name];
    if (!value)
      throw new EgressError(
        'USAGE',
        `${name} is not set: egress-gate runs as a step of a GitHub or Gitea Actions job.`,
      );
    return value;
  };
  return {
    eventName: need('GITHUB_EVENT_NAME'),
    eventPath: need('GITHUB_EVENT_PATH'),
    repository: need('GITHUB_REPOSITORY'),
    apiUrl: env['GITHUB_API_URL'] || env['GITEA_API_URL'] || '',
    ...(env['GITHUB_SERVER_URL'] ? { serverUrl: env['GITHUB_SERVER_URL'] } : {}),
    ...(env['GITHUB_RUN_ID'] ? { runId: env['GITHUB_RUN_ID'] } : {}),
    workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
    env,
  };
}
