import { createHash } from 'node:crypto';
/**
 * The fake forge's world: repositories as commits (full trees), pull requests, reviews, statuses,
 * comments and labels. Plain data that tests build and inspect; the dialects render it as GitHub
 * or Gitea would.
 */
export type FakeReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING';

export interface FakeReview {
  id: number;
  user: string;
  state: FakeReviewState;
  commit: string;
  body: string;
  submittedAt: string;
  dismissed: boolean;
}

export interface FakePull {
  number: number;
  title: string;
  author: string;
  headRef: string;
  headSha: string;
  baseRef: string;
  /** Base commit recorded for the pull request (GitHub's base.sha, Gitea's merge_base). */
  baseSha: string;
  state: 'open' | 'closed';
  labels: string[];
  reviews: FakeReview[];
  /** Set when merged: who merged, how, and the commit it was merged as (merge, squash or last rebased commit). */
  merged?: { by: string; method: FakeMergeMethod; commit: string; at: string };
}

export type FakeMergeMethod = 'merge' | 'squash' | 'rebase';

export interface FakeStatus {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string;
}

export interface FakeCall {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface FakeWorld {
  owner: string;
  repo: string;
  token: string;
  /**
   * Login the token acts as for writes. `/user` answers 403 when `userEndpointForbidden`
   * (GitHub's workflow token).
   */
  botLogin: string;
  userEndpointForbidden: boolean;
  /** commit sha → (path → text). */
  commits: Map<string, Map<string, string>>;
  /** commit sha → parent shas, first parent first (absent or empty for a root commit). */
  parents: Map<string, string[]>;
  /**
   * GitHub lists at most this many changed files of a pull request (3,000 on github.com) while
   * `changed_files` still counts them all.
   */
  fileListLimit: number;
  /** Gitea's compare endpoint accepts two commit ids (false: 404, as some Gitea versions answer). */
  giteaCompareShas: boolean;
  /** branch → tip sha. */
  branches: Map<string, string>;
  pulls: Map<number, FakePull>;
  statuses: FakeStatus[];
  comments: FakeComment[];
  repoLabels: FakeLabel[];
  calls: FakeCall[];
  /** Injected failures: the next `remaining` requests whose `METHOD path` starts with `match`. */
  faults: Array<{ match: string; status: number; remaining: number }>;
  /** Requests no route answered; tests assert this stays empty. */
  unknown: string[];
  nextId: number;
  clock: number;
}

export function createWorld(
  init: {
    owner?: string;
    repo?: string;
    token?: string;
    botLogin?: string;
    userEndpointForbidden?: boolean;
    fileListLimit?: number;
    giteaCompareShas?: boolean;
  } = {},
): FakeWorld {
  return {
    owner: init.owner ?? 'tre',
    repo: init.repo ?? 'egress',
    token: init.token ?? 'fake-token-0123456789abcdef',
    botLogin: init.botLogin ?? 'egress-bot',
    userEndpointForbidden: init.userEndpointForbidden ?? false,
    commits: new Map(),
    parents: new Map(),
    fileListLimit: init.fileListLimit ?? 3000,
    giteaCompareShas: init.giteaCompareShas ?? true,
    branches: new Map(),
    pulls: new Map(),
    statuses: [],
    comments: [],
    repoLabels: [],
    calls: [],
    faults: [],
    unknown: [],
    nextId: 1000,
    clock: Date.parse('2026-03-02T09:00:00Z'),
  };
}

export function nextId(world: FakeWorld): number {
  world.nextId += 1;
  return world.nextId;
}

export function now(world: FakeWorld): string {
  world.clock += 60_000;
  return new Date(world.clock).toISOString();
}

/**
 * A commit on top of `parent` with `changes` (null deletes a path); returns its sha. `extraParents`
 * makes a merge commit (the tree is still `parent`'s with `changes` applied).
 */
export function commit(
  world: FakeWorld,
  parent: string | undefined,
  changes: Record<string, string | null>,
  extraParents: string[] = [],
): string {
  if (parent !== undefined && !world.commits.has(parent)) throw new Error(`no commit ${parent}`);
  const tree = new Map(parent ? world.commits.get(parent) : undefined);
  for (const [path, text] of Object.entries(changes)) {
    if (text === null) tree.delete(path);
    else tree.set(path, text);
  }
  const seed = `${parent ?? 'root'}:${nextId(world)}:${JSON.stringify(changes)}`;
  const sha = hexOf(seed);
  world.commits.set(sha, tree);
  world.parents.set(sha, parent === undefined ? [] : [parent, ...extraParents]);
  return sha;
}

/** The changes that turn tree `from` into tree `to` (null for a deleted path). */
export function diffTrees(
  from: Map<string, string> | undefined,
  to: Map<string, string>,
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const [path, text] of to) if (from?.get(path) !== text) changes[path] = text;
  for (const path of from?.keys() ?? []) if (!to.has(path)) changes[path] = null;
  return changes;
}

/** Every commit reachable from `sha` (itself included), following all parents. */
export function reachable(world: FakeWorld, sha: string): Set<string> {
  const seen = new Set<string>();
  const todo = [sha];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (seen.has(next) || !world.commits.has(next)) continue;
    seen.add(next);
    todo.push(...(world.parents.get(next) ?? []));
  }
  return seen;
}

function hexOf(seed: string): string {
  // Deterministic 40-hex ids; content addressing is not needed by anything the fake serves.
  let h = 0x811c9dc5;
  const parts: string[] = [];
  for (let round = 0; round < 5; round++) {
    for (const ch of `${round}${seed}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    parts.push(h.toString(16).padStart(8, '0'));
  }
  return parts.join('');
}

/** Git's blob id of a text (`sha1("blob <size>\0" + bytes)`), as both forges report it. */
export function blobId(text: string): string {
  const bytes = Buffer.from(text);
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The bytes of the blob with this id in any commit, or undefined. */
export function findBlob(world: FakeWorld, id: string): string | undefined {
  for (const tree of world.commits.values()) {
    for (const text of tree.values()) if (blobId(text) === id) return text;
  }
  return undefined;
}

/** Files that differ between the pull request's base and head (what both forges list). */
export function changedFiles(
  world: FakeWorld,
  pull: FakePull,
): Array<{ path: string; status: 'added' | 'removed' | 'modified' }> {
  const base = world.commits.get(pull.baseSha) ?? new Map<string, string>();
  const head = world.commits.get(pull.headSha) ?? new Map<string, string>();
  const out: Array<{ path: string; status: 'added' | 'removed' | 'modified' }> = [];
  for (const [path, text] of head) {
    if (!base.has(path)) out.push({ path, status: 'added' });
    else if (base.get(path) !== text) out.push({ path, status: 'modified' });
  }
  for (const path of base.keys()) if (!head.has(path)) out.push({ path, status: 'removed' });
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Entries directly under `dir` at a commit: files and sub-directories. */
export function listDir(
  tree: Map<string, string>,
  dir: string,
): Array<{ name: string; path: string; type: 'file' | 'dir' }> {
  const prefix = dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
  const seen = new Map<string, 'file' | 'dir'>();
  for (const path of tree.keys()) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const [first, ...more] = rest.split('/');
    if (first) seen.set(first, more.length > 0 ? 'dir' : 'file');
  }
  return [...seen]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, type]) => ({ name, path: `${prefix}${name}`, type }));
}
