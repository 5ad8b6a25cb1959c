#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createProgressReporter,
  openRepository,
  parseManifestArgs,
  printDiagnostics
} from "./chunk-3JVZ3KOA.js";
import {
  hasErrors,
  sortDiagnostics,
  validateRequest
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";

// action/src/cli/commands/validate.ts
var help = `Usage: egress-gate validate <manifest...> [--repo <dir>] [--json] [--config-dir <dir>]

Checks egress request manifests: YAML syntax, the schema (schemas/manifest.schema.json), the
meaning (id equals the file name, known work package and destinations, no duplicate collections
or items, safe item paths) and every SHA-256/size pin against the files under the outputs root.

Problems are printed on stderr as file:line:col: code: message, paths relative to the repository.

Options:
  --repo <dir>         egress repository root (default: current directory)
  --json               print one JSON object per manifest on stdout:
                       {"manifest", "valid", "diagnostics": [{file, line, column, pointer, code, severity, message}]}
  --config-dir <dir>   trusted configuration folder, relative to the repository (default: .egress)

Exit codes: 0 every manifest is valid, 1 a manifest is invalid, 2 usage or configuration error.
`;
var validateCommand = {
  name: "validate",
  help,
  async run(argv, io) {
    const args = parseManifestArgs("validate", argv, io);
    const opened = await openRepository(args, io);
    if (!opened) return ExitCode.usage;
    let valid = true;
    for (const manifestPath of args.manifests) {
      const result = await validateRequest({
        files: opened.files,
        manifestPath,
        outputsDir: opened.outputsDir,
        repo: opened.repo,
        onProgress: args.json ? void 0 : createProgressReporter(io, `hashing ${manifestPath}`)
      });
      const ok = !hasErrors(result.diagnostics);
      valid &&= ok;
      if (args.json) {
        const diagnostics = sortDiagnostics(result.diagnostics);
        io.stdout(`${JSON.stringify({ manifest: manifestPath, valid: ok, diagnostics })}
`);
      } else {
        printDiagnostics(io, result.diagnostics);
        if (ok) io.stdout(`${manifestPath}: valid
`);
        else io.stderr(`${manifestPath}: invalid (${result.diagnostics.length} problem(s))
`);
      }
    }
    return valid ? ExitCode.ok : ExitCode.failed;
  }
};
export {
  validateCommand
};
