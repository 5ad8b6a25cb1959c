import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { loadPolicy } from '../../app/load-policy.js';
import { type LoadedRepository, loadRepository } from '../../app/load-repository.js';
import { type ReleaseEvidence, type ReleaseOutcome, releaseRequest } from '../../app/release.js';
import { maskSasSignatures } from '../../app/seal-access-links.js';
import { outputsDirOf } from '../../app/validate-request.js';
import { readSecretKey } from '../../crypto/keys.js';
import { createDelivery } from '../../deliver/choose-delivery.js';
import type { DestinationSecrets } from '../../deliver/delivery.js';
import { createReviewsFileParser, type ReviewsFile } from '../../policy/reviews-file.js';
import { hasErrors, sortDiagnostics } from '../../shared/diagnostics.js';
import { createRedactor, redactKeeping } from '../../shared/redact.js';
import type { RepoFiles } from '../../shared/repo-files.js';
import { type CliIo, type Command, ExitCode } from '../command.js';
import { parseCommandLine, requireOption, toRepoPath } from '../command-line.js';
import { createFsRepoFiles } from '../fs-repo-files.js';
import { printDiagnostics } from '../manifest-args.js';
import {
  createCliForge,
  pullRequestHelp,
  pullRequestOptions,
  readCliPullRequest,
  readPullRequestArgs,
} from '../pull-request-args.js';
import { readPassphraseFile, readUserFile } from './pack.js';

const help = `Usage: egress-gate deliver <manifest> --reviews <file> --signing-key <file>
                           [--passphrase-file <file>] [--repo <dir>] [--config-dir <dir>]
                           [--outputs-root <dir>] [--work-dir <dir>] [--json]
       egress-gate deliver [<manifest>] --pr <number> --signing-key <file> [options]

The release by hand, for System Managers: the same checks and the same code path as the action's
release mode. The whole request is evaluated again (the reviews on the head commit, who merged
and their role); each collection's destination is asked for the signed receipt of an earlier
delivery (same request, collection and file hashes: already delivered, nothing is sent); the
other collections are packed (every pin re-hashed from the outputs), encrypted, signed and
delivered with their signed receipts. Nothing is delivered unless the whole request passes.

The reviews file must name 'head' and 'merger' (see 'egress-gate evaluate --help'). A
hand-written reviews file is a rehearsal, not evidence: with --pr the pull request, its reviews,
the merger and the trusted configuration (just before the merge) come from the forge, and the
receipt records the forge's review ids.

Options:
  --reviews <file>       the reviews file (or --pr)
  --signing-key <file>   the egress signing key (armored OpenPGP secret key)
  --passphrase-file <f>  passphrase of the signing key (first line of the file)
  --repo <dir>           egress repository root (default: current directory)
  --config-dir <dir>     trusted configuration folder (default: .egress)
  --outputs-root <dir>   where the outputs are (default: the configuration's outputsRoot under --repo)
  --work-dir <dir>       where packages are built and receipts kept (default: a new folder under
                         the system temporary directory); packages are removed once delivered
  --json                 print {state, passed, request, tier, evidence, collections: [{collection,
                         destination, location, package: {file, sha256, size}, recipients,
                         alreadyDelivered, receipt, sealedAccess}], reasons, diagnostics} on stdout
${pullRequestHelp}

Destination credentials come from the environment, never the command line:
  EGRESS_AZURE_CONNECTION_STRING or EGRESS_AZURE_ACCOUNT_KEY   azure-blob destinations
  EGRESS_SFTP_KEY_FILE [EGRESS_SFTP_KEY_PASSPHRASE]            sftp destinations
Azure access links are never printed in clear: 'sealedAccess' is an OpenPGP message encrypted to
the collection's recipients (post it, or send it; they run 'gpg --decrypt').

Progress goes to stderr. Exit codes: 0 every collection is at its destination (now or from an
earlier run), 1 the request is invalid, does not pass, or a destination holds a conflicting
receipt (nothing delivered), 2 usage or configuration error, 3 a destination or the forge failed
temporarily (re-run: delivered collections are skipped, partial uploads resume).
`;

export const deliverCommand: Command = {
  name: 'deliver',
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandLine('deliver', argv, {
      reviews: { type: 'string' },
      'signing-key': { type: 'string' },
      'passphrase-file': { type: 'string' },
      repo: { type: 'string' },
      'config-dir': { type: 'string' },
      'outputs-root': { type: 'string' },
      'work-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      ...pullRequestOptions,
    });
    const json = values.json === true;
    const repoRoot = resolve(io.cwd, values.repo ?? '.');
    const configDir = values['config-dir'] ?? '.egress';
    const prArgs = readPullRequestArgs('deliver', values, io);
    if (positionals.length > 1 || (positionals.length === 0 && !prArgs)) {
      io.stderr(
        'name exactly one manifest, e.g. egress-gate deliver requests/<id>.yaml --reviews reviews.yaml (see --help)\n',
      );
      return ExitCode.usage;
    }
    if (prArgs && values.reviews !== undefined) {
      io.stderr('give either --reviews <file> or --pr <number>, not both\n');
      return ExitCode.usage;
    }
    const signingKeyPath = resolve(
      io.cwd,
      requireOption('deliver', values['signing-key'], '--signing-key <file>'),
    );
    const redactor = createRedactor();
    const say = (text: string) => io.stderr(redactor.redact(text));

    let source: { files: RepoFiles; manifestPath: string; reviews: ReviewsFile; evidence: ReleaseEvidence };
    let repository: LoadedRepository;
    let policyFiles: RepoFiles;
    if (prArgs) {
      const forge = await createCliForge(prArgs, io);
      say(`reading pull request #${prArgs.number} from ${prArgs.apiUrl}…\n`);
      const pr = await readCliPullRequest(forge, prArgs, { configDir, require: 'merged' });
      if (positionals[0] !== undefined && pr.manifestPath !== toRepoPath(repoRoot, io.cwd, positionals[0])) {
        io.stderr(
          `pull request #${prArgs.number} carries ${pr.manifestPath ?? 'no request'}, not ${positionals[0]}\n`,
        );
        return ExitCode.usage;
      }
      if (pr.refusals.length > 0 || !pr.manifestPath) {
        const reasons =
          pr.refusals.length > 0 ? pr.refusals : [`pull request #${prArgs.number} carries no request`];
        return report(io, json, failedOutcome(reasons), pr.evidence, ExitCode.failed);
      }
      source = { files: pr.files, manifestPath: pr.manifestPath, reviews: pr.reviews, evidence: pr.evidence };
      repository = pr.repository;
      policyFiles = pr.trusted;
    } else {
      const reviewsPath = resolve(
        io.cwd,
        requireOption('deliver', values.reviews, '--reviews <file> (or --pr <number>)'),
      );
      const label = relative(io.cwd, reviewsPath) || reviewsPath;
      const text = await readUserFile(reviewsPath, 'reviews file');
      const parsed = createReviewsFileParser().parse(text, label);
      if (!parsed.reviewsFile) {
        printDiagnostics(io, parsed.diagnostics);
        io.stderr(`the reviews file ${label} is invalid; nothing was delivered.\n`);
        return ExitCode.usage;
      }
      const missing = (['head', 'merger'] as const).filter((k) => parsed.reviewsFile![k] === undefined);
      if (missing.length > 0) {
        io.stderr(
          `${label}: a delivery needs ${missing.map((k) => `'${k}'`).join(' and ')} in the reviews file (the head commit the reviews were made on, and who merged); nothing was delivered.\n`,
        );
        return ExitCode.usage;
      }
      const files = createFsRepoFiles(repoRoot);
      source = {
        files,
        manifestPath: toRepoPath(repoRoot, io.cwd, positionals[0]!),
        reviews: parsed.reviewsFile,
        evidence: {
          source: 'reviews-file',
          path: label,
          sha256: createHash('sha256').update(text).digest('hex'),
        },
      };
      repository = await loadRepository(files, { configDir });
      policyFiles = files;
    }
    if (!repository.configValid || hasErrors(repository.diagnostics)) {
      printDiagnostics(io, repository.diagnostics);
      io.stderr(`the trusted configuration under ${configDir}/ is invalid; nothing was delivered.\n`);
      return ExitCode.usage;
    }
    const loaded = await loadPolicy(repository.config.policy, policyFiles);
    if (!loaded.policy) {
      printDiagnostics(io, loaded.diagnostics);
      io.stderr(`the policy '${repository.config.policy}' cannot be used; nothing was delivered.\n`);
      return ExitCode.usage;
    }
    const passphrase = values['passphrase-file']
      ? await readPassphraseFile(resolve(io.cwd, values['passphrase-file']))
      : undefined;
    redactor.add(passphrase);
    const signingKey = await readSecretKey(
      await readUserFile(signingKeyPath, 'signing key'),
      relative(io.cwd, signingKeyPath) || signingKeyPath,
      passphrase,
    );
    const secrets = await readDestinationSecrets(io);
    for (const s of Object.values(secrets)) redactor.add(s);
    const workDir = values['work-dir']
      ? resolve(io.cwd, values['work-dir'])
      : await mkdtemp(join(tmpdir(), 'egress-deliver-'));
    const outputsDir = values['outputs-root']
      ? resolve(io.cwd, values['outputs-root'])
      : outputsDirOf(repoRoot, repository);
    let last = 0;
    const outcome = await releaseRequest({
      files: source.files,
      repo: repository,
      policy: loaded.policy,
      manifestPath: source.manifestPath,
      outputsDir,
      reviews: source.reviews,
      evidence: source.evidence,
      signingKey,
      createDelivery,
      deliveryContext: {
        repoRoot,
        secrets,
        ...(source.reviews.merger ? { actor: source.reviews.merger } : {}),
        log: (m) => say(`${maskSasSignatures(m)}\n`),
      },
      workDir,
      createdAt: createdAtFrom(io.env),
      onSecret: (s) => redactor.add(s),
      onProgress(event) {
        if (event.phase === 'checking') return say(`checking ${event.collection} at its destination…\n`);
        const now = Date.now();
        if (now - last < 1000 && event.doneBytes < event.totalBytes) return;
        last = now;
        say(
          `${event.phase} ${event.collection}: ${(event.doneBytes / 1048576).toFixed(1)}/${(event.totalBytes / 1048576).toFixed(1)} MiB\n`,
        );
      },
    });
    if (!json) printDiagnostics(io, outcome.diagnostics);
    const code = outcome.passed ? ExitCode.ok : ExitCode.failed;
    return report(io, json, outcome, source.evidence, code, redactor.redact);
  },
};

function failedOutcome(reasons: string[]): ReleaseOutcome {
  return { state: 'not-cleared', passed: false, diagnostics: [], reasons, collections: [] };
}

function report(
  io: CliIo,
  json: boolean,
  outcome: ReleaseOutcome,
  evidence: ReleaseEvidence,
  code: ExitCode,
  redact: (text: string) => string = (t) => t,
): ExitCode {
  if (json) {
    io.stdout(
      redactKeeping(
        redact,
        (keep) =>
          `${JSON.stringify({
            state: outcome.state,
            passed: outcome.passed,
            request: outcome.requestId ?? null,
            tier: outcome.tier ?? null,
            evidence,
            collections: outcome.collections.map((c) => ({
              collection: c.collection,
              destination: c.destination,
              location: c.receipt.destination?.location ?? c.location,
              package: c.receipt.package ?? null,
              recipients: c.recipients,
              alreadyDelivered: c.alreadyDelivered,
              receipt: c.receiptPath,
              ...(c.sealedAccess ? { sealedAccess: keep(c.sealedAccess) } : {}),
            })),
            reasons: outcome.reasons,
            diagnostics: sortDiagnostics(outcome.diagnostics),
          })}\n`,
        (sealed) => JSON.stringify(sealed).slice(1, -1),
      ),
    );
    return code;
  }
  for (const c of outcome.collections) {
    const pkg = c.receipt.package;
    io.stdout(
      redactKeeping(
        redact,
        (keep) =>
          `${c.alreadyDelivered ? 'already delivered' : 'delivered'} ${c.collection} (tier ${c.receipt.tier}) → ${c.destination}: ${c.receipt.destination?.location ?? c.location}\n` +
          (pkg ? `  ${pkg.file}: sha256 ${pkg.sha256}, ${pkg.size} bytes\n` : '') +
          `  encrypted to ${c.recipients.join(', ')}\n` +
          `  signed receipt: ${c.receiptPath}\n` +
          (c.sealedAccess
            ? `  access links, encrypted to the recipients (send this; they run gpg --decrypt):\n${keep(c.sealedAccess.trim())}\n`
            : ''),
      ),
    );
  }
  if (!outcome.passed) {
    io.stderr(redact(`nothing was delivered:\n${outcome.reasons.map((r) => `  - ${r}\n`).join('')}`));
  } else if (outcome.state === 'already-delivered') {
    io.stdout('every collection was already delivered by an earlier run; nothing was uploaded.\n');
  }
  io.stdout(
    `evidence: ${evidence.source === 'forge' ? `pull request #${evidence.pullRequest}${evidence.url ? ` (${evidence.url})` : ''}` : `reviews file ${evidence.path} (a rehearsal, not evidence)`}\n`,
  );
  return code;
}

async function readDestinationSecrets(io: CliIo): Promise<DestinationSecrets> {
  const env = io.env;
  const keyFile = env['EGRESS_SFTP_KEY_FILE'];
  return {
    ...(env['EGRESS_AZURE_CONNECTION_STRING']
      ? { azureConnectionString: env['EGRESS_AZURE_CONNECTION_STRING'] }
      : {}),
    ...(env['EGRESS_AZURE_ACCOUNT_KEY'] ? { azureAccountKey: env['EGRESS_AZURE_ACCOUNT_KEY'] } : {}),
    ...(keyFile ? { sftpPrivateKey: await readUserFile(resolve(io.cwd, keyFile), 'SFTP private key') } : {}),
    ...(env['EGRESS_SFTP_KEY_PASSPHRASE']
      ? { sftpPrivateKeyPassphrase: env['EGRESS_SFTP_KEY_PASSPHRASE'] }
      : {}),
  };
}

function createdAtFrom(env: CliIo['env']): string {
  const epoch = env['SOURCE_DATE_EPOCH'];
  const date = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
