#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  scanRequestOutputs
} from "./chunk-GA5RL33M.js";
import {
  createProgressReporter,
  openRepository,
  parseManifestArgs,
  printDiagnostics
} from "./chunk-3JVZ3KOA.js";
import {
  formatDiagnostic,
  hasErrors,
  loadPolicy,
  validateRequest
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";

// action/src/cli/commands/check.ts
var help = `Usage: egress-gate check <manifest>... [--repo <dir>] [--json]

Looks for disclosure risks in every file a request would take out, with the rules and thresholds
of the policy (Turing default: every rule advisory):
  tables (.csv/.tsv/.tab)  small-cell (counts 1..threshold-1, default 10), zero-cell, missing-cell,
                           unrounded-count (declared base), magnitude-contributors, p-percent (p 10),
                           nk-dominance (n 2, k 90%), differencing (a suppressed cell recovered from
                           totals, across all the request's tables), residual-dof (below 10),
                           identifier-column, precise-date, free-text, declaration-mismatch
  any text                 email-address, phone-number, uk-postcode, nhs-number (valid checksum),
                           date-of-birth, precise-coordinates, ip-address, residual-dof in model
                           summaries, notebook-output (.ipynb cells with outputs)
  any file                 image-gps, file-too-large, archive
  the manifest             unmatched-acknowledgement

A table declared in the manifest (item field \`table:\`: counts, roundedTo, magnitudes with
contributors and largest, identifiers, dates, residualDegreesOfFreedom) is checked exactly
("declared"); otherwise count columns are inferred from the header and values ("inferred").
A finding listed under \`acknowledged:\` in the manifest (rule, file, optional line or cell,
reason) is shown as acknowledged; an acknowledgement that matches nothing is itself reported.

Each finding prints as <outputs root>/<file>:<line>:<column>: <rule>: <message> [basis, severity,
cell] \u2014 <what to do> (collection <name>), with the value partly masked.

Exit codes: 0 every file read and no finding left unacknowledged, 1 findings to look at, an item
            that could not be read (missing, unsafe or outside the outputs root), or an invalid
            manifest, 2 usage or configuration error.
--json prints one JSON object per manifest on stdout:
  {manifest, collections: [{collection, findings: [{rule, severity, file, line, column, cell?,
   basis: declared|inferred, acknowledged, reason?, message, advice, manifestLine?}],
   unreadable: [{path, message}]}]}`;
var checkCommand = {
  name: "check",
  help,
  async run(argv, io) {
    const args = parseManifestArgs("check", argv, io);
    const opened = await openRepository(args, io);
    if (!opened) return ExitCode.usage;
    const loaded = await loadPolicy(opened.repo.config.policy, opened.files);
    if (!loaded.policy) {
      printDiagnostics(io, loaded.diagnostics);
      return ExitCode.usage;
    }
    let exit = ExitCode.ok;
    const progress = createProgressReporter(io, "checking");
    for (const manifestPath of args.manifests) {
      const validated = await validateRequest({ files: opened.files, manifestPath, repo: opened.repo });
      if (!validated.manifest || hasErrors(validated.diagnostics)) {
        for (const d of validated.diagnostics) io.stderr(`${formatDiagnostic(d)}
`);
        exit = ExitCode.failed;
        continue;
      }
      const collections = await scanRequestOutputs(validated.manifest, opened.outputsDir, loaded.policy, {
        ...validated.document ? { document: validated.document } : {},
        onProgress: (done, total) => progress(done, total, 0)
      });
      const count = collections.reduce((n, c) => n + c.findings.length, 0);
      const open = collections.reduce((n, c) => n + c.findings.filter((f) => !f.acknowledged).length, 0);
      const unreadable = collections.flatMap((c) => c.unreadable);
      if (open > 0 || unreadable.length > 0) exit = ExitCode.failed;
      if (args.json) {
        io.stdout(`${JSON.stringify({ manifest: manifestPath, collections: collections.map(toJson) })}
`);
        continue;
      }
      for (const u of unreadable) io.stderr(`${manifestPath}: cannot check '${u.path}': ${u.message}
`);
      const root = opened.repo.config.outputsRoot.replace(/\/+$/, "");
      for (const { collection, findings } of collections) {
        for (const f of findings) io.stdout(`${formatFinding(f, root)} (collection ${collection})
`);
      }
      const verdict = unreadable.length > 0 ? `${unreadable.length} item(s) could not be read, so they were not checked` : count === 0 ? "no disclosure risks found" : `${count} finding(s) for the reviewers${count > open ? `, ${count - open} of them acknowledged` : ""}`;
      io.stdout(`${manifestPath}: ${verdict}
`);
    }
    return exit;
  }
};
function formatFinding(f, root) {
  const where = f.line > 0 ? `${root}/${f.file}:${f.line}:${f.column}` : `${root}/${f.file}`;
  const tags = [f.basis, f.severity, ...f.cell ? [f.cell] : []].join(", ");
  const ack = f.acknowledged ? ` \u2014 acknowledged: ${f.acknowledged.reason.replace(/\s+/g, " ")}` : "";
  return `${where}: ${f.rule}: ${f.message} [${tags}] \u2014 ${f.advice}${ack}`;
}
function toJson(c) {
  return {
    collection: c.collection,
    findings: c.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      ...f.cell ? { cell: f.cell } : {},
      basis: f.basis,
      acknowledged: f.acknowledged !== void 0,
      ...f.acknowledged ? { reason: f.acknowledged.reason } : {},
      message: f.message,
      advice: f.advice,
      ...f.manifest ? { manifestLine: f.manifest.line } : {}
    })),
    unreadable: c.unreadable
  };
}
export {
  checkCommand,
  formatFinding
};
