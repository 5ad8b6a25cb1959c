import { type LoadedRepository, loadRepository } from '../app/load-repository.js';
import { outputsDirOf } from '../app/validate-request.js';
import { type Diagnostic, formatDiagnostic, sortDiagnostics } from '../shared/diagnostics.js';
import { EgressError } from '../shared/errors.js';
import type { RepoFiles } from '../shared/repo-files.js';
import type { CliIo } from './command.js';
import { findRepoRoot, parseCommandLine, toRepoPath } from './command-line.js';
import { createFsRepoFiles } from './fs-repo-files.js';

/** What `validate` and `lock` share: `--repo`, `--json`, `--config-dir` and manifest paths. */
export interface ManifestCommandArgs {
  repoRoot: string;
  json: boolean;
  configDir: string;
  /** Repository-relative POSIX paths. */
  manifests: string[];
}

export function parseManifestArgs(command: string, argv: string[], io: CliIo): ManifestCommandArgs {
  const { values, positionals } = parseCommandLine(command, argv, {
    repo: { type: 'string' },
    json: { type: 'boolean', default: false },
    'config-dir': { type: 'string' },
  });
  if (positionals.length === 0) {
    throw new EgressError(
      'USAGE',
      `name at least one manifest, e.g. egress-gate ${command} requests/<id>.yaml`,
    );
  }
  const configDir = values['config-dir'] ?? '.egress';
  const repoRoot = findRepoRoot(io.cwd, values.repo, configDir);
  return {
    repoRoot,
    json: values.json ?? false,
    configDir,
    manifests: positionals.map((arg) => toRepoPath(repoRoot, io.cwd, arg)),
  };
}

export interface OpenedRepository {
  files: RepoFiles;
  repo: LoadedRepository;
  outputsDir: string;
}

/** Loads `.egress/`; prints configuration problems and returns undefined when there are any. */
export async function openRepository(
  args: ManifestCommandArgs,
  io: CliIo,
): Promise<OpenedRepository | undefined> {
  const files = createFsRepoFiles(args.repoRoot);
  const repo = await loadRepository(files, { configDir: args.configDir });
  const errors = repo.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !repo.configValid) {
    if (args.json) {
      io.stdout(
        `${JSON.stringify({ valid: false, configuration: true, diagnostics: sortDiagnostics(repo.diagnostics) })}\n`,
      );
    } else {
      printDiagnostics(io, repo.diagnostics);
      io.stderr('The trusted configuration under .egress/ is invalid; fix it on the base branch first.\n');
    }
    return undefined;
  }
  printDiagnostics(io, repo.diagnostics, args.json);
  return { files, repo, outputsDir: outputsDirOf(args.repoRoot, repo) };
}

export function printDiagnostics(io: CliIo, diagnostics: readonly Diagnostic[], quiet = false): void {
  if (quiet) return;
  for (const d of sortDiagnostics(diagnostics)) io.stderr(`${formatDiagnostic(d)}\n`);
}

/** At most one progress line a second on stderr, and only once the work has run for a second. */
export function createProgressReporter(
  io: CliIo,
  verb: string,
): (done: number, total: number, bytes: number) => void {
  const started = Date.now();
  let last = started;
  return (done, total, bytes) => {
    const now = Date.now();
    if (now - started < 1000 || (now - last < 1000 && done < total)) return;
    last = now;
    io.stderr(`${verb}: ${done}/${total} files, ${(bytes / 1048576).toFixed(1)} MiB\n`);
  };
}
