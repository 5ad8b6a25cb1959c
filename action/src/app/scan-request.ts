import { applyAcknowledgements } from '../disclosure/acknowledge.js';
import { findDifferencing } from '../disclosure/differencing.js';
import { type Finding, type RawFinding, settle } from '../disclosure/finding.js';
import { type ScannedFile, scanOutputFile } from '../disclosure/scan-file.js';
import type { TableSummary } from '../disclosure/tables.js';
import { locate, type ParsedYaml } from '../manifest/parse-yaml.js';
import type { Manifest, TableDeclaration } from '../manifest/types.js';
import { resolveOutputsRoot } from '../pack/outputs.js';
import { blockingRuleIds, resolveDisclosureRules } from '../policy/disclosure-rules.js';
import type { DisclosureFact, Policy } from '../policy/types.js';
import { createOutputsResolver, type OutputsResolver } from './outputs-resolver.js';

/** A finding placed in the request: where its item (or acknowledgement) is written in the manifest. */
export type RequestFinding = Finding & { manifest?: { line: number; column: number } };

export interface CollectionFindings {
  collection: string;
  findings: RequestFinding[];
  /** Items that could not be read (missing, unsafe, outside the root): nothing was checked there. */
  unreadable: { path: string; message: string }[];
}

export interface ScanOptions {
  /** The manifest's parsed YAML, to place findings at their item's line. */
  document?: ParsedYaml;
  /** Paths already resolved under this outputs root (`validateRequest`'s `outputs`): reused. */
  outputs?: OutputsResolver;
  /** Called with each file's SHA-256 as the checks read it (pins can be verified from it). */
  onScanned?: (absolutePath: string, sha256: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Disclosure-risk findings for every file of every collection, with the policy's rule settings,
 * differencing across all the request's tables, and the manifest's acknowledgements applied.
 * Items that cannot be resolved are listed as unreadable, so that "no findings" is never said of
 * a file that was not read. Each file is read once, however many collections list it.
 */
export async function scanRequestOutputs(
  manifest: Manifest,
  outputsDir: string,
  policy: Pick<Policy, 'disclosure'>,
  options: ScanOptions = {},
): Promise<CollectionFindings[]> {
  const rules = resolveDisclosureRules(policy);
  const root = await resolveOutputsRoot(outputsDir);
  const resolver = options.outputs?.root === root ? options.outputs : createOutputsResolver(root);
  const results = new Map<string, CollectionFindings>(
    manifest.collections.map((c) => [c.name, { collection: c.name, findings: [], unreadable: [] }]),
  );
  const plan: {
    collection: string;
    path: string;
    absolutePath: string;
    pointer: string;
    table?: TableDeclaration;
  }[] = [];
  for (const [c, collection] of manifest.collections.entries()) {
    for (const [i, item] of collection.items.entries()) {
      // The common case without an await per item; anything else gets resolveItem's words.
      const plain = resolver.plainPath(item.path);
      const resolved = plain
        ? { ok: true as const, files: [{ path: item.path, absolutePath: plain }] }
        : await resolver.resolve(item.path);
      const pointer = `/collections/${c}/items/${i}`;
      if (!resolved.ok) {
        results.get(collection.name)?.unreadable.push({ path: item.path, message: resolved.message });
        continue;
      }
      for (const file of resolved.files) {
        plan.push({
          collection: collection.name,
          ...file,
          pointer,
          ...(item.table ? { table: item.table } : {}),
        });
      }
    }
  }
  // One scan per file; a declaration on any item naming the file applies.
  const unique = new Map<string, { absolutePath: string; table?: TableDeclaration }>();
  for (const p of plan) {
    const known = unique.get(p.path);
    if (!known) unique.set(p.path, { absolutePath: p.absolutePath, ...(p.table ? { table: p.table } : {}) });
    else if (!known.table && p.table) known.table = p.table;
  }
  const scanned = new Map<string, ScannedFile>();
  let done = 0;
  for (const [path, { absolutePath, table }] of unique) {
    const file = await scanOutputFile(absolutePath, path, rules, table);
    scanned.set(path, file);
    options.onScanned?.(absolutePath, file.sha256);
    done += 1;
    options.onProgress?.(done, unique.size);
  }
  const tables = [...scanned.values()].flatMap((s) => (s.table ? [s.table] : [])) as TableSummary[];
  const differencing = rules.differencing.enabled
    ? findDifferencing(tables, rules.differencing.threshold ?? 10)
    : [];
  const raw = new Map<string, RawFinding[]>([...scanned].map(([path, s]) => [path, [...s.findings]]));
  for (const f of differencing) raw.get(f.file)?.push(f);

  const settings = { rules };
  const acks = manifest.acknowledged ?? [];
  const all = [...raw.values()].flatMap((list) => settle(list, settings));
  const { findings, unmatched } = applyAcknowledgements(all, acks);
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  const at = (pointer: string) => (options.document ? { manifest: locate(options.document, pointer) } : {});

  const placed = new Set<string>();
  for (const p of plan) {
    const key = `${p.collection}\u0000${p.path}`;
    if (placed.has(key)) continue;
    placed.add(key);
    results
      .get(p.collection)
      ?.findings.push(...(byFile.get(p.path) ?? []).map((f) => ({ ...f, ...at(p.pointer) })));
  }
  if (rules['unmatched-acknowledgement'].enabled) {
    for (const i of unmatched) {
      const ack = acks[i]!;
      const finding: RequestFinding = {
        rule: 'unmatched-acknowledgement',
        severity: rules['unmatched-acknowledgement'].severity,
        file: ack.file,
        line: ack.line ?? 0,
        column: ack.line ? 1 : 0,
        ...(ack.cell ? { cell: ack.cell } : {}),
        basis: 'declared',
        message: `the acknowledgement of '${ack.rule}'${ack.line ? ` at line ${ack.line}` : ''}${ack.cell ? ` at cell ${ack.cell}` : ''} matches no finding`,
        advice: 'remove it from the manifest, or correct its rule, file, line or cell',
        ...at(`/acknowledged/${i}`),
      };
      const owners = plan.filter((p) => p.path === ack.file).map((p) => p.collection);
      const targets = owners.length > 0 ? [...new Set(owners)] : [...results.keys()];
      for (const name of targets) results.get(name)?.findings.push(finding);
    }
  }
  return [...results.values()];
}

/**
 * Whether findings can change the policy's decision: only through rules it makes blocking. Where
 * nothing is shown to a person (pack, the release), a policy without one needs no scan: passing
 * no findings then decides exactly what scanning would (the Turing default blocks on none; the
 * review's comment and `egress-gate check` still show every finding).
 */
export function findingsCanBlock(policy: Pick<Policy, 'disclosure'>): boolean {
  return blockingRuleIds(resolveDisclosureRules(policy)).length > 0;
}

/** Findings as the policy engine takes them (blocking rules). */
export function disclosureFacts(collections: readonly CollectionFindings[]): DisclosureFact[] {
  return collections.flatMap((c) =>
    c.findings.map((f) => ({
      collection: c.collection,
      rule: f.rule,
      file: f.file,
      line: f.line,
      column: f.column,
      message: f.message,
      advice: f.advice,
      acknowledged: f.acknowledged !== undefined,
    })),
  );
}
