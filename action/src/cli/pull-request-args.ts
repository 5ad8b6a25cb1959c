import { type PullRequestSource, readPullRequestSource } from '../app/pull-request-source.js';
import type { ForgeChoice } from '../forge/choose-forge.js';
import type { Forge } from '../forge/forge.js';
import { EgressError } from '../shared/errors.js';
import type { CliIo } from './command.js';
import { toRepoPath } from './command-line.js';

/**
 * `--pr <number>`: the pull request, its reviews, the merger and the trusted configuration come
 * from the forge, read exactly as the action reads them, instead of from a hand-written reviews
 * file (a rehearsal, not evidence). The token comes from the environment, never the command line.
 */
export const pullRequestOptions = {
  pr: { type: 'string' },
  forge: { type: 'string' },
  'api-url': { type: 'string' },
  'forge-repo': { type: 'string' },
  before: { type: 'string' },
  'base-branch': { type: 'string' },
} as const;

export const pullRequestHelp = `  --pr <number>          take the pull request, its reviews, who merged and the trusted
                         configuration from the forge (as the action does), not from a
                         reviews file; the receipt records the forge's review ids
  --forge <kind>         github | gitea | forgejo (default: EGRESS_GATE_FORGE, else github)
  --api-url <url>        the forge API (GitHub: https://api.github.com or <ghes>/api/v3;
                         Gitea/Forgejo: <server>/api/v1); default: EGRESS_GATE_API_URL
  --forge-repo <o/r>     owner/repository (default: EGRESS_GATE_REPOSITORY)
  --base-branch <name>   the protected branch (default: EGRESS_GATE_BASE_BRANCH); required:
                         a pull request into any other branch is refused, since its
                         configuration and approvals are not the protected branch's
  --before <sha>         for a squash or rebase merge: the protected branch's tip before the
                         merge (a merge commit needs none)
  The token is read from EGRESS_GATE_TOKEN (or GITHUB_TOKEN / GITEA_TOKEN); it is never printed.`;

export interface PullRequestArgs {
  number: number;
  forge: ForgeChoice;
  apiUrl: string;
  repo: { owner: string; repo: string };
  /** The protected branch; the pull request must target it. */
  baseBranch: string;
  before?: string;
}

type Values = { [K in keyof typeof pullRequestOptions]?: string | undefined };

/** Undefined without `--pr`; a usage error when `--pr` is given without what it needs. */
export function readPullRequestArgs(command: string, values: Values, io: CliIo): PullRequestArgs | undefined {
  if (values.pr === undefined) {
    for (const flag of ['forge', 'api-url', 'forge-repo', 'before', 'base-branch'] as const) {
      if (values[flag] !== undefined)
        throw new EgressError(
          'USAGE',
          `--${flag} goes with --pr <number> (see egress-gate ${command} --help)`,
        );
    }
    return undefined;
  }
  if (!/^[1-9]\d*$/.test(values.pr)) {
    throw new EgressError('USAGE', `--pr takes a pull request number, got '${values.pr}'`);
  }
  const forge = values.forge ?? io.env['EGRESS_GATE_FORGE'] ?? 'github';
  if (!['github', 'gitea', 'forgejo'].includes(forge)) {
    throw new EgressError('USAGE', `--forge is '${forge}'; use github, gitea or forgejo`);
  }
  const apiUrl = values['api-url'] ?? io.env['EGRESS_GATE_API_URL'] ?? '';
  if (!/^https?:\/\//.test(apiUrl)) {
    throw new EgressError(
      'USAGE',
      `--pr needs the forge API URL: pass --api-url <url> or set EGRESS_GATE_API_URL`,
    );
  }
  const full = values['forge-repo'] ?? io.env['EGRESS_GATE_REPOSITORY'] ?? '';
  const [owner, repo, ...rest] = full.split('/');
  if (!owner || !repo || rest.length > 0) {
    throw new EgressError(
      'USAGE',
      `--pr needs the repository as owner/name: pass --forge-repo or set EGRESS_GATE_REPOSITORY`,
    );
  }
  const baseBranch = values['base-branch'] ?? io.env['EGRESS_GATE_BASE_BRANCH'] ?? '';
  if (!/^[^\s~^:?*[\\]+$/.test(baseBranch)) {
    throw new EgressError(
      'USAGE',
      baseBranch === ''
        ? `--pr needs the protected branch: pass --base-branch <name> (e.g. main) or set EGRESS_GATE_BASE_BRANCH; a pull request into another branch is refused`
        : `--base-branch takes a branch name, got '${baseBranch}'`,
    );
  }
  if (values.before !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(values.before)) {
    throw new EgressError('USAGE', `--before takes a full commit sha, got '${values.before}'`);
  }
  return {
    number: Number(values.pr),
    forge: forge as ForgeChoice,
    apiUrl,
    repo: { owner, repo },
    baseBranch,
    ...(values.before ? { before: values.before } : {}),
  };
}

/** The forge client is loaded only here: commands without `--pr` never load it. */
export async function createCliForge(args: PullRequestArgs, io: CliIo): Promise<Forge> {
  const token = io.env['EGRESS_GATE_TOKEN'] || io.env['GITHUB_TOKEN'] || io.env['GITEA_TOKEN'] || '';
  if (token === '') {
    throw new EgressError(
      'USAGE',
      '--pr needs a forge token in EGRESS_GATE_TOKEN (read: contents, pull requests)',
    );
  }
  const { chooseForge } = await import('../forge/choose-forge.js');
  return chooseForge({
    choice: args.forge,
    apiUrl: args.apiUrl,
    token,
    repo: args.repo,
    env: {},
    log: (m) => io.stderr(`${m}\n`),
  });
}

/**
 * The pull request read from the forge; for `deliver` it must be merged (configuration just
 * before the merge), for `evaluate` and `pack` an open one reads the protected branch's tip.
 */
export async function readCliPullRequest(
  forge: Forge,
  args: PullRequestArgs,
  options: { configDir: string; require: 'merged' | 'any' },
): Promise<PullRequestSource> {
  const pull = await forge.getPullRequest(args.number);
  return readPullRequestSource(forge, args.number, {
    configDir: options.configDir,
    require: options.require,
    protectedBranch: args.baseBranch,
    ...(pull.merged && pull.mergeCommitSha
      ? { pushed: { sha: pull.mergeCommitSha, ...(args.before ? { before: args.before } : {}) } }
      : {}),
  });
}

/**
 * For `evaluate` and `pack`: the pull request from the forge (open: configuration at the protected
 * branch's tip; merged: just before the merge), with the manifest it carries. Refusals (the
 * same as the action's) are a usage error here: nothing to evaluate or pack.
 */
export async function readPullRequestForCommand(
  command: string,
  args: PullRequestArgs,
  io: CliIo,
  options: { configDir: string; repoRoot: string; manifestArg?: string },
): Promise<PullRequestSource & { manifestPath: string }> {
  const forge = await createCliForge(args, io);
  io.stderr(`reading pull request #${args.number} from ${args.apiUrl}…\n`);
  const source = await readCliPullRequest(forge, args, { configDir: options.configDir, require: 'any' });
  if (source.refusals.length > 0) {
    throw new EgressError('USAGE', `pull request #${args.number} is refused: ${source.refusals.join(' ')}`);
  }
  if (!source.manifestPath) {
    throw new EgressError('USAGE', `pull request #${args.number} carries no request (requests/<id>.yaml)`);
  }
  if (
    options.manifestArg !== undefined &&
    toRepoPath(options.repoRoot, io.cwd, options.manifestArg) !== source.manifestPath
  ) {
    throw new EgressError(
      'USAGE',
      `pull request #${args.number} carries ${source.manifestPath}, not ${options.manifestArg} (see egress-gate ${command} --help)`,
    );
  }
  return { ...source, manifestPath: source.manifestPath };
}
