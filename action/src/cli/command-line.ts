import { readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closestName } from '../shared/closest.js';
import { EgressError } from '../shared/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts (SPEC §6: `--repo` is common); a command may declare them itself. */
const commonOptions = { repo: { type: 'string' } } as const;

/**
 * Strict option parsing for one command; a bad flag is a usage error that names the closest
 * option the command knows ("did you mean --json?") and points at --help.
 */
export function parseCommandLine<const O extends Options>(command: string, argv: string[], options: O) {
  const all = { ...commonOptions, ...options } as typeof commonOptions & O;
  try {
    return parseArgs({ args: argv, options: all, strict: true, allowPositionals: true });
  } catch (error) {
    throw new EgressError('USAGE', `${describeParseError(error, all)} Run 'egress-gate ${command} --help'.`, {
      cause: error,
    });
  }
}

function describeParseError(error: unknown, options: Options): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const flags = Object.entries(options).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'(-[^']*)'/.exec(message)?.[1] ?? '?';
    const flag = given.split('=')[0]!;
    const near = closestName(flag, flags);
    const hint = near ? `did you mean ${near}?` : `the options are ${flags.join(', ')}.`;
    return `unknown option '${flag}'; ${hint}`;
  }
  // Node's own wording, first sentence only (the rest explains `--` positionals at length).
  const first = message.split(/\.\s/)[0]!.replace(/\.$/, '');
  return `${first}.`;
}

/**
 * The egress repository root: `--repo` when given, else the nearest folder from the working
 * directory upward that holds the configuration folder (like git finds `.git`), else the working
 * directory itself (the missing configuration is then reported).
 */
export function findRepoRoot(cwd: string, repo: string | undefined, configDir = '.egress'): string {
  if (repo !== undefined) return resolve(cwd, repo);
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (isDirectory(join(dir, configDir))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The one positional argument a command takes, e.g. a manifest or a package. */
export function requireOnePositional(
  command: string,
  positionals: string[],
  what: string,
  example: string,
): string {
  if (positionals.length !== 1) {
    throw new EgressError(
      'USAGE',
      `name exactly one ${what}, e.g. egress-gate ${command} ${example} (got ${positionals.length})`,
    );
  }
  return positionals[0]!;
}

/** A required option's value, or a usage error naming it. */
export function requireOption(command: string, value: string | undefined, flag: string): string {
  if (value === undefined)
    throw new EgressError('USAGE', `missing ${flag} (see egress-gate ${command} --help)`);
  return value;
}

/**
 * A command-line path (relative to the working directory) as a POSIX path inside the repository.
 * A directory is refused with the manifests it holds, since every command takes manifest files.
 */
export function toRepoPath(repoRoot: string, cwd: string, arg: string): string {
  const absolute = resolve(cwd, arg);
  const rel = relative(repoRoot, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new EgressError('USAGE', `'${arg}' is not inside the repository ${repoRoot} (set --repo)`);
  }
  if (isDirectory(absolute)) {
    const manifests = listManifests(absolute).map((name) => join(arg, name));
    const listed =
      manifests.length === 0
        ? 'it holds no .yaml files'
        : `it holds ${manifests.slice(0, 5).join(', ')}${manifests.length > 5 ? ` and ${manifests.length - 5} more` : ''}`;
    throw new EgressError(
      'USAGE',
      `'${arg}' is a directory; name the manifest file(s) in it, e.g. ${join(arg, '<id>.yaml')} or ${join(arg, '*.yaml')} (${listed})`,
    );
  }
  return rel.split(sep).join('/');
}

function listManifests(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
  } catch {
    return [];
  }
}
