import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runDemo } from '../../app/run-demo.js';
import { createDelivery } from '../../deliver/choose-delivery.js';
import { EgressError } from '../../shared/errors.js';
import { type Command, ExitCode } from '../command.js';
import { parseCommandLine } from '../command-line.js';
import { createFsRepoFiles } from '../fs-repo-files.js';

const help = `Usage: egress-gate demo [--out <dir> | --repo <dir>] [--json]

Runs a complete egress on the embedded defaults, with no forge and no cloud: writes the seeds'
Data Study Group case study as an egress repository (built-in Turing policy, two collections,
physical destinations), generates throwaway OpenPGP keys, locks the request, classifies it with
three simulated approvals, packs, encrypts, signs and delivers each collection, and opens every
package as its recipient would.

Options:
  --out <dir>   where to build the demo repository (must be empty or absent; default: a new
                temporary folder)
  --repo <dir>  the same as --out: the demo's egress repository root
  --json        print {workspace, head, evaluation, delivered, verified} on stdout

Exit codes: 0 the demo egress completed, 2 the workspace cannot be used.`;

async function prepareWorkspace(out: string | undefined, cwd: string): Promise<string> {
  if (out === undefined) return mkdtemp(join(tmpdir(), 'egress-gate-demo-'));
  const dir = resolve(cwd, out);
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new EgressError('USAGE', `--out ${dir} is not empty; name a new or empty folder for the demo`);
  }
  return dir;
}

export const demoCommand: Command = {
  name: 'demo',
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandLine('demo', argv, {
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
    });
    if (positionals.length > 0) {
      throw new EgressError(
        'USAGE',
        `demo takes no arguments (got '${positionals[0]}'); see egress-gate demo --help`,
      );
    }
    if (values.out !== undefined && values.repo !== undefined && values.out !== values.repo) {
      throw new EgressError('USAGE', 'give --out or --repo (the same folder for the demo), not both');
    }
    const workspace = await prepareWorkspace(values.out ?? values.repo, io.cwd);
    const log = values.json
      ? (line: string) => io.stderr(`${line}\n`)
      : (line: string) => io.stdout(`${line}\n`);
    log(`egress-gate demo in ${workspace}`);
    const result = await runDemo({ workspace, createFiles: createFsRepoFiles, createDelivery, log });
    if (values.json) {
      io.stdout(`${JSON.stringify(result)}\n`);
      return ExitCode.ok;
    }
    const first = result.delivered[0];
    const pkg = first ? join(first.location, first.receipt.package?.file ?? '') : '<package>';
    log('');
    log('Done: every collection was cleared, delivered encrypted and opened by its recipient.');
    log(`Look around ${workspace}: requests/ (the locked manifest), reviews.yaml, delivered/, opened/.`);
    log('A recipient needs nothing of ours; with GnuPG alone:');
    log(
      `  export GNUPGHOME=$(mktemp -d) && gpg --batch --import ${workspace}/recipient-secrets/investigator.secret.asc`,
    );
    log(`  gpg --batch --import ${workspace}/.egress/keys/egress-signing.asc`);
    log(`  gpg --batch --decrypt --output package.tar ${pkg} && tar -xf package.tar`);
    log(
      `  (cd ${first ? `${first.receipt.request.id}-${first.collection}` : '<request>-<collection>'} && gpg --verify SHA256SUMS.asc SHA256SUMS && sha256sum -c SHA256SUMS)`,
    );
    return ExitCode.ok;
  },
};
