import { loadPolicy } from '../../app/load-policy.js';
import { scanRequestOutputs } from '../../app/scan-request.js';
import { validateRequest } from '../../app/validate-request.js';
import { defaultDisclosureLimits } from '../../disclosure/finding.js';
import { formatDiagnostic, hasErrors } from '../../shared/diagnostics.js';
import { type Command, ExitCode } from '../command.js';
import {
  createProgressReporter,
  openRepository,
  parseManifestArgs,
  printDiagnostics,
} from '../manifest-args.js';

const help = `Usage: egress-gate check <manifest>... [--repo <dir>] [--json]

Looks for disclosure risks in every file a request would take out: small counts in CSV/TSV
tables (below the policy's threshold, default 10), e-mail addresses, UK phone numbers and
postcodes, NHS numbers with a valid checksum, dates of birth, precise coordinates, GPS positions
in image metadata, files over the size limit, and archives inside outputs.

Findings are advice for the reviewers, never an approval or a refusal. Each is printed as
<outputs root>/<file>:<line>:<column>: <code>: <message>, with the value partly masked.

Exit codes: 0 every file read and no findings, 1 findings to look at, an item that could not be
            read (missing, unsafe or outside the outputs root), or an invalid manifest,
            2 usage or configuration error.
--json prints one JSON object per manifest on stdout:
  {manifest, collections: [{collection, findings: [{path, line, column, code, message}],
                            unreadable: [{path, message}]}]}`;

export const checkCommand: Command = {
  name: 'check',
  summary: 'look for disclosure risks (small cells, identifiers, GPS, archives) in the outputs',
  help,
  async run(argv, io) {
    const args = parseManifestArgs('check', argv, io);
    const opened = await openRepository(args, io);
    if (!opened) return ExitCode.usage;
    const loaded = await loadPolicy(opened.repo.config.policy, opened.files);
    if (!loaded.policy) {
      printDiagnostics(io, loaded.diagnostics);
      return ExitCode.usage;
    }
    const limits = { ...defaultDisclosureLimits, ...loaded.policy.disclosure };
    let exit: ExitCode = ExitCode.ok;
    const progress = createProgressReporter(io, 'checking');
    for (const manifestPath of args.manifests) {
      const validated = await validateRequest({ files: opened.files, manifestPath, repo: opened.repo });
      if (!validated.manifest || hasErrors(validated.diagnostics)) {
        for (const d of validated.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        exit = ExitCode.failed;
        continue;
      }
      const collections = await scanRequestOutputs(
        validated.manifest,
        opened.outputsDir,
        limits,
        (done, total) => progress(done, total, 0),
      );
      const count = collections.reduce((n, c) => n + c.findings.length, 0);
      const unreadable = collections.flatMap((c) => c.unreadable);
      if (count > 0 || unreadable.length > 0) exit = ExitCode.failed;
      if (args.json) {
        io.stdout(`${JSON.stringify({ manifest: manifestPath, collections })}\n`);
        continue;
      }
      for (const u of unreadable) io.stderr(`${manifestPath}: cannot check '${u.path}': ${u.message}\n`);
      const root = opened.repo.config.outputsRoot.replace(/\/+$/, '');
      for (const { collection, findings } of collections) {
        for (const f of findings) {
          const where = f.line > 0 ? `${root}/${f.path}:${f.line}:${f.column}` : `${root}/${f.path}`;
          io.stdout(`${where}: ${f.code}: ${f.message} (collection ${collection})\n`);
        }
      }
      const verdict =
        unreadable.length > 0
          ? `${unreadable.length} item(s) could not be read, so they were not checked`
          : count === 0
            ? 'no disclosure risks found'
            : `${count} finding(s) for the reviewers`;
      io.stdout(`${manifestPath}: ${verdict}\n`);
    }
    return exit;
  },
};
