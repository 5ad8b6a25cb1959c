#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createFsRepoFiles,
  findRepoRoot,
  formatDiagnostic,
  loadRepository,
  outputsDirOf,
  parseCommandLine,
  sortDiagnostics,
  toRepoPath
} from "./chunk-MFV4Z2EZ.js";
import {
  EgressError
} from "./chunk-7N3PT735.js";

// action/src/cli/manifest-args.ts
function parseManifestArgs(command, argv, io) {
  const { values, positionals } = parseCommandLine(command, argv, {
    repo: { type: "string" },
    json: { type: "boolean", default: false },
    "config-dir": { type: "string" }
  });
  if (positionals.length === 0) {
    throw new EgressError(
      "USAGE",
      `name at least one manifest, e.g. egress-gate ${command} requests/<id>.yaml`
    );
  }
  const configDir = values["config-dir"] ?? ".egress";
  const repoRoot = findRepoRoot(io.cwd, values.repo, configDir);
  return {
    repoRoot,
    json: values.json ?? false,
    configDir,
    manifests: positionals.map((arg) => toRepoPath(repoRoot, io.cwd, arg))
  };
}
async function openRepository(args, io) {
  const files = createFsRepoFiles(args.repoRoot);
  const repo = await loadRepository(files, { configDir: args.configDir });
  const errors = repo.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || !repo.configValid) {
    if (args.json) {
      io.stdout(
        `${JSON.stringify({ valid: false, configuration: true, diagnostics: sortDiagnostics(repo.diagnostics) })}
`
      );
    } else {
      printDiagnostics(io, repo.diagnostics);
      io.stderr("The trusted configuration under .egress/ is invalid; fix it on the base branch first.\n");
    }
    return void 0;
  }
  printDiagnostics(io, repo.diagnostics, args.json);
  return { files, repo, outputsDir: outputsDirOf(args.repoRoot, repo) };
}
function printDiagnostics(io, diagnostics, quiet = false) {
  if (quiet) return;
  for (const d of sortDiagnostics(diagnostics)) io.stderr(`${formatDiagnostic(d)}
`);
}
function createProgressReporter(io, verb) {
  const started = Date.now();
  let last = started;
  return (done, total, bytes) => {
    const now = Date.now();
    if (now - started < 1e3 || now - last < 1e3 && done < total) return;
    last = now;
    io.stderr(`${verb}: ${done}/${total} files, ${(bytes / 1048576).toFixed(1)} MiB
`);
  };
}

export {
  parseManifestArgs,
  openRepository,
  printDiagnostics,
  createProgressReporter
};
