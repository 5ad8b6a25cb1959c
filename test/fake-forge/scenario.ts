import {
  commit,
  diffTrees,
  type FakeMergeMethod,
  type FakePull,
  type FakeReviewState,
  type FakeWorld,
  nextId,
  now,
} from './model.js';

/** Plain-data builders tests use to set up and move a pull request along. */
export function seedBranch(world: FakeWorld, branch: string, files: Record<string, string>): string {
  const sha = commit(world, undefined, files);
  world.branches.set(branch, sha);
  return sha;
}

export function openPull(
  world: FakeWorld,
  init: {
    author: string;
    base?: string;
    changes: Record<string, string | null>;
    title?: string;
    number?: number;
  },
): FakePull {
  const baseRef = init.base ?? 'main';
  const baseSha = world.branches.get(baseRef);
  if (!baseSha) throw new Error(`seed branch ${baseRef} first`);
  const headSha = commit(world, baseSha, init.changes);
  const number = init.number ?? world.pulls.size + 1;
  const pull: FakePull = {
    number,
    title: init.title ?? 'Egress request',
    author: init.author,
    headRef: `request-${number}`,
    headSha,
    baseRef,
    baseSha,
    state: 'open',
    labels: [],
    reviews: [],
  };
  world.pulls.set(number, pull);
  return pull;
}

export function push(world: FakeWorld, pull: FakePull, changes: Record<string, string | null>): string {
  pull.headSha = commit(world, pull.headSha, changes);
  return pull.headSha;
}

export function submitReview(
  world: FakeWorld,
  pull: FakePull,
  init: { user: string; state?: FakeReviewState; body: string; commit?: string },
): number {
  const id = nextId(world);
  pull.reviews.push({
    id,
    user: init.user,
    state: init.state ?? 'APPROVED',
    body: init.body,
    commit: init.commit ?? pull.headSha,
    submittedAt: now(world),
    dismissed: false,
  });
  return id;
}

export function latestStatus(world: FakeWorld, sha: string, context: string) {
  return world.statuses.filter((s) => s.sha === sha && s.context === context).at(-1);
}

/** Someone pushes to a branch directly (the protected branch moving on); returns the new tip. */
export function pushToBranch(
  world: FakeWorld,
  branch: string,
  changes: Record<string, string | null>,
): string {
  const tip = world.branches.get(branch);
  if (!tip) throw new Error(`no branch ${branch}`);
  const sha = commit(world, tip, changes);
  world.branches.set(branch, sha);
  return sha;
}

/**
 * Merges a pull request as the forge would: a merge commit (parents: base tip, head), a squash
 * commit (parent: base tip), or the head's commits replayed one by one onto the base tip (rebase;
 * the last replayed commit is the one the pull request is "merged as"). Moves the base branch,
 * closes the pull request and returns the commit it was merged as.
 */
export function mergePull(
  world: FakeWorld,
  pull: FakePull,
  init: { by: string; method?: FakeMergeMethod },
): string {
  const method = init.method ?? 'merge';
  const tip = world.branches.get(pull.baseRef);
  if (!tip) throw new Error(`no branch ${pull.baseRef}`);
  const tree = (sha: string) => world.commits.get(sha)!;
  let merged: string;
  if (method === 'rebase') {
    const own: string[] = [];
    for (let at = pull.headSha; at !== pull.baseSha; ) {
      own.unshift(at);
      const parent = world.parents.get(at)?.[0];
      if (!parent) throw new Error(`head of #${pull.number} does not descend from ${pull.baseSha}`);
      at = parent;
    }
    merged = tip;
    for (const sha of own) {
      merged = commit(world, merged, diffTrees(tree(world.parents.get(sha)![0]!), tree(sha)));
    }
  } else {
    const changes = diffTrees(tree(pull.baseSha), tree(pull.headSha));
    merged = commit(world, tip, changes, method === 'merge' ? [pull.headSha] : []);
  }
  world.branches.set(pull.baseRef, merged);
  pull.state = 'closed';
  pull.merged = { by: init.by, method, commit: merged, at: now(world) };
  return merged;
}
