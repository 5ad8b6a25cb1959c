import { commit, type FakePull, type FakeReviewState, type FakeWorld, nextId, now } from './model.js';

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
