import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { EgressError } from '../shared/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict option parsing for one command; a bad flag is a usage error that points at --help. */
export function parseCommandLine<const O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new EgressError('USAGE', `${(error as Error).message}. Run 'egress-gate ${command} --help'.`);
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

/** A command-line path (relative to the working directory) as a POSIX path inside the repository. */
export function toRepoPath(repoRoot: string, cwd: string, arg: string): string {
  const rel = relative(repoRoot, resolve(cwd, arg));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new EgressError('USAGE', `'${arg}' is not inside the repository ${repoRoot} (set --repo)`);
  }
  return rel.split(sep).join('/');
}
