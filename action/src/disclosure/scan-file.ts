import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { detectArchive, imageHasGps, looksBinary } from './binary.js';
import type { DisclosureLimits, Finding } from './finding.js';
import { scanLineForIdentifiers } from './identifiers.js';
import { createTableScanner } from './tables.js';

const HEAD_BYTES = 256 * 1024;
const BIRTH_HEADER = /\b(?:dob|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|birth)\b/i;
// A file with thousands of hits is one problem, not thousands of comment lines.
const MAX_FINDINGS_PER_FILE = 50;

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function scanText(absolutePath: string, path: string, limits: DisclosureLimits): Promise<Finding[]> {
  const extension = extname(path).toLowerCase();
  const delimiter =
    extension === '.csv' ? ',' : extension === '.tsv' || extension === '.tab' ? '\t' : undefined;
  const table = delimiter ? createTableScanner(delimiter, limits.minCellCount) : undefined;
  const findings: Finding[] = [];
  const lines = createInterface({
    input: createReadStream(absolutePath, { encoding: 'utf8', highWaterMark: 1024 * 1024 }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const headers = table?.addLine(text, line);
    const birthColumn = headers !== undefined && line > 1 && headers.some((h) => BIRTH_HEADER.test(h));
    if (findings.length < MAX_FINDINGS_PER_FILE) {
      for (const f of scanLineForIdentifiers(text, { birthColumn })) findings.push({ ...f, path, line });
    }
  }
  for (const cell of table?.smallCells() ?? []) {
    findings.push({
      path,
      line: cell.line,
      column: cell.column,
      code: 'small-cell',
      message: `count ${cell.value} in column '${cell.header}' is below the threshold of ${limits.minCellCount}`,
    });
  }
  return findings.slice(0, MAX_FINDINGS_PER_FILE * 2);
}

/** Every finding for one output file; streams text files, reads only the head of binary ones. */
export async function scanOutputFile(
  absolutePath: string,
  path: string,
  limits: DisclosureLimits,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  const { size } = await stat(absolutePath);
  if (size > limits.maxFileBytes) {
    findings.push({
      path,
      line: 0,
      column: 0,
      code: 'file-too-large',
      message: `${size} bytes is over the review limit of ${limits.maxFileBytes} bytes: reviewers cannot examine it in full`,
    });
  }
  const head = await readHead(absolutePath);
  const archive = detectArchive(head);
  if (archive) {
    findings.push({
      path,
      line: 0,
      column: 0,
      code: 'archive',
      message: `a ${archive} archive inside an output hides its files from review: list the files themselves`,
    });
    return findings;
  }
  if (looksBinary(head)) {
    if (imageHasGps(head)) {
      findings.push({
        path,
        line: 0,
        column: 0,
        code: 'image-gps',
        message: 'image metadata (EXIF) holds a GPS position: strip the metadata before egress',
      });
    }
    return findings;
  }
  return [...findings, ...(await scanText(absolutePath, path, limits))];
}
