/**
 * A directory item's listing: its files' pins in `sha256sum` format, so that anyone can check
 * them with coreutils alone (`sha256sum --check --strict`, run from the outputs root). Each
 * file's size stands on a `# size <bytes>` comment line just above its hash line; `sha256sum`
 * skips comment lines. The manifest pins the listing by its own SHA-256, so the approvals on a
 * commit cover every file it names.
 */
import { createDiagnostic, type Diagnostic } from '../shared/diagnostics.js';
import { describeUnsafeItemPath } from './item-path.js';

export interface ListedFile {
  /** POSIX path relative to the outputs root. */
  path: string;
  sha256: string;
  size: number;
  /** 1-based line of the hash line in the listing. */
  line: number;
}

export interface ParsedListing {
  files: ListedFile[];
  diagnostics: Diagnostic[];
}

/** Directories of more files than this get a listing; smaller ones are listed in the manifest. */
export const inlineDirectoryLimit = 100;

/** A listing is read whole: 64 MiB is about 600,000 files. */
export const maxListingBytes = 64 * 1024 * 1024;

/** Where `lock` writes the listing of directory `directory` of collection `collection`. */
export function listingPathFor(requestId: string, collection: string, directory: string): string {
  return `requests/${requestId}/${collection}/${directory.replace(/\/+$/, '')}.sha256`;
}

/** `../` for each segment of the outputs root: how to reach the repository root from it. */
function upFrom(outputsRoot: string): string {
  const depth = outputsRoot.split('/').filter((s) => s !== '' && s !== '.').length;
  return '../'.repeat(depth);
}

export function formatListing(
  files: readonly { path: string; sha256: string; size: number }[],
  about: { manifestPath: string; collection: string; directory: string; outputsRoot: string; file: string },
): string {
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  const lines = [
    `# egress-gate listing of directory '${about.directory}' (collection '${about.collection}' of ${about.manifestPath}): ${files.length} files, ${bytes} bytes.`,
    `# Check every file from the outputs root: cd ${about.outputsRoot} && sha256sum --check --strict ${upFrom(about.outputsRoot)}${about.file}`,
    "# Written by 'egress-gate lock'; do not edit (the manifest pins this file's SHA-256). Each '# size' line gives the size in bytes of the file below it.",
  ];
  for (const f of files) lines.push(`# size ${f.size}`, `${f.sha256}  ${f.path}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a listing strictly: every hash line has its size line, every path is safe, inside
 * `directory` and listed once. Problems are diagnostics at the listing's own line.
 */
export function parseListing(text: string, file: string, directory: string): ParsedListing {
  const files: ListedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const prefix = `${directory.replace(/\/+$/, '')}/`;
  const seen = new Map<string, number>();
  const problem = (line: number, code: string, message: string) => {
    // One broken listing gives a few lines, not thousands.
    if (diagnostics.length < 20) {
      diagnostics.push(
        createDiagnostic({ file, line, column: 1, pointer: '', code, severity: 'error', message }),
      );
    }
  };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxListingBytes) {
    problem(
      0,
      'too-large',
      `the listing is ${bytes} bytes; the limit is ${maxListingBytes} bytes. Split the directory over several items.`,
    );
    return { files, diagnostics };
  }
  let size: number | undefined;
  let sizeLine = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const sizeMatch = /^# size (\d+)$/.exec(content);
    if (sizeMatch) {
      if (size !== undefined)
        problem(sizeLine, 'invalid-listing', 'this size line has no hash line below it.');
      size = Number(sizeMatch[1]);
      sizeLine = line;
      return;
    }
    if (content === '' || content.startsWith('#')) return;
    const entry = /^([0-9a-f]{64}) [ *](.+)$/.exec(content);
    if (!entry) {
      problem(
        line,
        'invalid-listing',
        "expected '<sha256>  <path>' (as sha256sum prints it); re-run 'egress-gate lock' rather than editing the listing.",
      );
      size = undefined;
      return;
    }
    const path = entry[2]!;
    if (size === undefined) {
      problem(
        line,
        'invalid-listing',
        `'${path}' has no '# size <bytes>' line above it; re-run 'egress-gate lock'.`,
      );
      return;
    }
    const unsafe = describeUnsafeItemPath(path);
    const previous = seen.get(path);
    if (unsafe) problem(line, 'unsafe-path', `${unsafe}.`);
    else if (!path.startsWith(prefix)) {
      problem(
        line,
        'invalid-listing',
        `'${path}' is not inside the directory '${directory}' this listing is for.`,
      );
    } else if (previous !== undefined) {
      problem(line, 'duplicate-item', `'${path}' is already listed on line ${previous}.`);
    } else {
      seen.set(path, line);
      files.push({ path, sha256: entry[1]!, size, line });
    }
    size = undefined;
  });
  if (size !== undefined) problem(sizeLine, 'invalid-listing', 'this size line has no hash line below it.');
  if (files.length === 0 && diagnostics.length === 0) {
    problem(0, 'invalid-listing', "the listing names no file; re-run 'egress-gate lock'.");
  }
  return { files, diagnostics };
}
