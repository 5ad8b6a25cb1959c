#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  lockRequest
} from "./chunk-GKUFFHRN.js";
import {
  createProgressReporter,
  openRepository,
  parseManifestArgs,
  printDiagnostics
} from "./chunk-3JVZ3KOA.js";
import {
  hasErrors,
  sortDiagnostics
} from "./chunk-MFV4Z2EZ.js";
import {
  ExitCode
} from "./chunk-V3ZJOSVK.js";
import "./chunk-7N3PT735.js";

// action/src/cli/commands/lock.ts
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
var help = `Usage: egress-gate lock <manifest...> [--repo <dir>] [--json] [--config-dir <dir>]

Fills in the SHA-256 and size pin of every item (and generation script) and rewrites the manifest
in place, keeping its comments, key order and layout. A directory item of up to 100 files is
replaced by one entry per file (sorted); a larger one stays one entry whose files are pinned in a
listing, requests/<id>/<collection>/<directory>.sha256 (sha256sum format: sha256sum --check reads
it), which the manifest pins by its SHA-256; commit the listing with the manifest. Treatments may
name files inside a directory. Existing pins are refreshed. Running it twice changes nothing.
A manifest with errors lock cannot fix (schema, unknown work package, unsafe paths) is left alone.

Options:
  --repo <dir>         egress repository root (default: current directory)
  --json               print {"manifest", "changed", "files", "bytes", "listings", "diagnostics"} per
                       manifest on stdout
  --config-dir <dir>   trusted configuration folder, relative to the repository (default: .egress)

Exit codes: 0 locked, 1 a manifest has errors, 2 usage or configuration error.
`;
var lockCommand = {
  name: "lock",
  help,
  async run(argv, io) {
    const args = parseManifestArgs("lock", argv, io);
    const opened = await openRepository(args, io);
    if (!opened) return ExitCode.usage;
    let ok = true;
    for (const manifestPath of args.manifests) {
      const result = await lockRequest({
        files: opened.files,
        manifestPath,
        outputsDir: opened.outputsDir,
        repo: opened.repo,
        onProgress: args.json ? void 0 : createProgressReporter(io, `hashing ${manifestPath}`)
      });
      const failed = hasErrors(result.diagnostics) || result.text === void 0;
      ok &&= !failed;
      if (!failed && result.changed && result.text !== void 0) {
        for (const listing of result.listings) {
          const path = join(args.repoRoot, listing.path);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, listing.text);
        }
        await writeFile(join(args.repoRoot, manifestPath), result.text);
      }
      if (args.json) {
        const { changed, files, bytes } = result;
        const diagnostics = sortDiagnostics(result.diagnostics);
        const listings = result.listings.map((l) => l.path);
        io.stdout(
          `${JSON.stringify({ manifest: manifestPath, changed, files, bytes, listings, diagnostics })}
`
        );
      } else if (failed) {
        printDiagnostics(io, result.diagnostics);
        io.stderr(`${manifestPath}: not locked (fix the problems above first)
`);
      } else {
        const state = result.changed ? "locked" : "already locked, unchanged";
        io.stdout(`${manifestPath}: ${state} (${result.files} files, ${result.bytes} bytes)
`);
        for (const listing of result.listings) io.stdout(`  listing ${listing.path}
`);
      }
    }
    return ok ? ExitCode.ok : ExitCode.failed;
  }
};
export {
  lockCommand
};
