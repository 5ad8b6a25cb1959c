import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { loadPolicy } from '../../app/load-policy.js';
import { loadRepository } from '../../app/load-repository.js';
import { packRequest } from '../../app/pack-request.js';
import { outputsDirOf } from '../../app/validate-request.js';
import { readSecretKey } from '../../crypto/keys.js';
import { createReviewsFileParser } from '../../policy/reviews-file.js';
import { hasErrors, sortDiagnostics } from '../../shared/diagnostics.js';
import { EgressError } from '../../shared/errors.js';
import { type CliIo, type Command, ExitCode } from '../command.js';
import {
  findRepoRoot,
  parseCommandLine,
  requireOnePositional,
  requireOption,
  toRepoPath,
} from '../command-line.js';
import { createFsRepoFiles } from '../fs-repo-files.js';
import { printDiagnostics } from '../manifest-args.js';

const help = `Usage: egress-gate pack <manifest> --reviews <file> --out <dir> --signing-key <file>
                        [--passphrase-file <file>] [--package-passphrase-file <file>]
                        [--repo <dir>] [--config-dir <dir>] [--json]

Evaluates the request from the reviews file (as 'egress-gate evaluate' does) and builds one
encrypted, signed package per cleared collection: <out>/<request>-<collection>.tar.gpg.

Each package is an OpenPGP message (signed, then encrypted; uncompressed) holding a tar archive:
  <request>-<collection>/RECEIPT.json   request, collection, classifications, tier, files
  <request>-<collection>/SHA256SUMS     for 'sha256sum -c'
  <request>-<collection>/files/...      the items, as pinned (items marked 'remove' never enter)
It is encrypted to the keys the policy names (for sensitive tiers, the data provider's keys only),
and readable by GnuPG 2.2 for v4 keys. Every file is checked against its pin while it is packed; a
mismatch aborts and leaves nothing under the final name.

Options:
  --reviews <file>                  the reviews file (see 'egress-gate evaluate --help')
  --out <dir>                       where the packages go (created if missing)
  --signing-key <file>              the egress signing key (armored OpenPGP secret key)
  --passphrase-file <file>          passphrase of the signing key (first line of the file)
  --package-passphrase-file <file>  also let this passphrase open the packages (send it by
                                    another channel)
  --repo <dir>                      egress repository root (default: current directory)
  --config-dir <dir>                trusted configuration folder (default: .egress)
  --json                            print {passed, packages: [{collection, file, path, sha256,
                                    size, tier, recipients, signer, files}], skipped: [{collection,
                                    state, reasons}], diagnostics} on stdout

SOURCE_DATE_EPOCH, when set, fixes the receipt time (and the archive's mtimes): the same inputs
then give the same tar bytes.

Exit codes: 0 every collection packed, 1 invalid, not cleared or a pin mismatch (cleared
collections are still packed when others are not), 2 usage or configuration error.
`;

interface PackArgs {
  repoRoot: string;
  manifestPath: string;
  reviewsPath: string;
  outDir: string;
  signingKeyPath: string;
  passphrasePath?: string;
  packagePassphrasePath?: string;
  configDir: string;
  json: boolean;
}

function parsePackArgs(argv: string[], io: CliIo): PackArgs {
  const { values, positionals } = parseCommandLine('pack', argv, {
    reviews: { type: 'string' },
    out: { type: 'string' },
    'signing-key': { type: 'string' },
    'passphrase-file': { type: 'string' },
    'package-passphrase-file': { type: 'string' },
    repo: { type: 'string' },
    'config-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const arg = requireOnePositional('pack', positionals, 'manifest', 'requests/<id>.yaml');
  const at = (value: string | undefined) => (value === undefined ? undefined : resolve(io.cwd, value));
  const repoRoot = findRepoRoot(io.cwd, values.repo, values['config-dir']);
  const passphrasePath = at(values['passphrase-file']);
  const packagePassphrasePath = at(values['package-passphrase-file']);
  return {
    repoRoot,
    manifestPath: toRepoPath(repoRoot, io.cwd, arg),
    reviewsPath: resolve(io.cwd, requireOption('pack', values.reviews, '--reviews <file>')),
    outDir: resolve(io.cwd, requireOption('pack', values.out, '--out <dir>')),
    signingKeyPath: resolve(io.cwd, requireOption('pack', values['signing-key'], '--signing-key <file>')),
    ...(passphrasePath ? { passphrasePath } : {}),
    ...(packagePassphrasePath ? { packagePassphrasePath } : {}),
    configDir: values['config-dir'] ?? '.egress',
    json: values.json === true,
  };
}

/** Reads a file the user named; a passphrase file gives its first line. Contents are never echoed. */
export async function readUserFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new EgressError(
      'INPUT',
      `cannot read the ${what} '${path}': ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      {
        cause: error,
      },
    );
  }
}

export async function readPassphraseFile(path: string): Promise<string> {
  const text = await readUserFile(path, 'passphrase file');
  return text.split(/\r?\n/)[0] ?? '';
}

function createdAtFrom(env: CliIo['env']): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch))
      throw new EgressError('USAGE', `SOURCE_DATE_EPOCH must be whole seconds since 1970, got '${epoch}'`);
    return new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const packCommand: Command = {
  name: 'pack',
  summary: 'build encrypted, signed packages (tar + OpenPGP) for the cleared collections',
  help,
  async run(argv, io) {
    const args = parsePackArgs(argv, io);
    const reviewsLabel = relative(io.cwd, args.reviewsPath) || args.reviewsPath;
    const reviews = createReviewsFileParser().parse(
      await readUserFile(args.reviewsPath, 'reviews file'),
      reviewsLabel,
    );
    if (!reviews.reviewsFile) {
      printDiagnostics(io, reviews.diagnostics);
      io.stderr(`the reviews file ${reviewsLabel} is invalid; nothing was packed.\n`);
      return ExitCode.usage;
    }
    const files = createFsRepoFiles(args.repoRoot);
    const repo = await loadRepository(files, { configDir: args.configDir });
    if (!repo.configValid || hasErrors(repo.diagnostics)) {
      printDiagnostics(io, repo.diagnostics);
      io.stderr(`the trusted configuration under ${args.configDir}/ is invalid; nothing was packed.\n`);
      return ExitCode.usage;
    }
    const loaded = await loadPolicy(repo.config.policy, files);
    if (!loaded.policy) {
      printDiagnostics(io, loaded.diagnostics);
      io.stderr(`the policy '${repo.config.policy}' cannot be used; nothing was packed.\n`);
      return ExitCode.usage;
    }
    const passphrase = args.passphrasePath ? await readPassphraseFile(args.passphrasePath) : undefined;
    const signingKey = await readSecretKey(
      await readUserFile(args.signingKeyPath, 'signing key'),
      relative(io.cwd, args.signingKeyPath) || args.signingKeyPath,
      passphrase,
    );
    const packagePassphrase = args.packagePassphrasePath
      ? await readPassphraseFile(args.packagePassphrasePath)
      : undefined;
    let lastReport = Date.now();
    const result = await packRequest({
      files,
      repo,
      policy: loaded.policy,
      manifestPath: args.manifestPath,
      outputsDir: outputsDirOf(args.repoRoot, repo),
      reviews: reviews.reviewsFile,
      signingKey,
      ...(packagePassphrase ? { passwords: [packagePassphrase] } : {}),
      outDir: args.outDir,
      createdAt: createdAtFrom(io.env),
      onProgress(collection, done, total) {
        if (args.json || Date.now() - lastReport < 1000) return;
        lastReport = Date.now();
        io.stderr(
          `packing ${collection}: ${(done / 1048576).toFixed(0)}/${(total / 1048576).toFixed(0)} MiB\n`,
        );
      },
    });
    if (args.json) {
      io.stdout(
        `${JSON.stringify({
          passed: result.passed,
          packages: result.packages.map((p) => ({
            collection: p.collection,
            file: p.package.file,
            path: p.package.path,
            sha256: p.package.sha256,
            size: p.package.size,
            tier: p.receipt.tier,
            recipients: p.receipt.recipients,
            signer: p.receipt.signer,
            files: p.receipt.files.length,
          })),
          skipped: result.skipped,
          diagnostics: sortDiagnostics(result.diagnostics),
        })}\n`,
      );
    } else {
      printDiagnostics(io, result.diagnostics);
      if (!result.evaluation) io.stderr(`${args.manifestPath}: invalid; nothing was packed.\n`);
      for (const p of result.packages) {
        io.stdout(
          `packed ${p.collection} (tier ${p.receipt.tier}, ${p.receipt.files.length} files) → ${p.package.path}\n` +
            `  sha256 ${p.package.sha256}, ${p.package.size} bytes\n` +
            `  encrypted to ${p.receipt.recipients.join(', ')}; signed by ${p.receipt.signer}\n`,
        );
      }
      for (const s of result.skipped) {
        io.stdout(
          `not packed: ${s.collection} is ${s.state}\n${s.reasons.map((r) => `  - ${r}\n`).join('')}`,
        );
      }
    }
    return result.passed ? ExitCode.ok : ExitCode.failed;
  },
};
