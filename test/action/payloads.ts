import examples from '@octokit/webhooks-examples';
import type { FakePull, FakeWorld } from '../fake-forge/model.js';

/**
 * Event payloads as runners write them to GITHUB_EVENT_PATH. GitHub: recorded real payloads from
 * @octokit/webhooks-examples with this test's repository, numbers and commits put in. Gitea: built
 * from its webhook structs (modules/structs/hook.go: PullRequestPayload with `review: {type,
 * content}`; review events arrive as `pull_request_review` with action `reviewed`).
 */
type Json = Record<string, unknown>;

function example(event: string, action: string): Json {
  const group = (examples as unknown as Array<{ name: string; examples: Json[] }>).find(
    (e) => e.name === event,
  );
  const found = group?.examples.find((e) => e['action'] === action);
  if (!found) throw new Error(`no recorded ${event}.${action} payload in @octokit/webhooks-examples`);
  return structuredClone(found);
}

function patchPull(target: Json, world: FakeWorld, pull: FakePull): void {
  const pr = target['pull_request'] as Json;
  pr['number'] = pull.number;
  pr['state'] = pull.state;
  pr['merged'] = false;
  (pr['user'] as Json)['login'] = pull.author;
  Object.assign(pr['head'] as Json, { sha: pull.headSha, ref: pull.headRef });
  Object.assign(pr['base'] as Json, { sha: pull.baseSha, ref: pull.baseRef });
  patchRepo(target, world);
}

function patchRepo(target: Json, world: FakeWorld): void {
  const repo = target['repository'] as Json;
  Object.assign(repo, {
    name: world.repo,
    full_name: `${world.owner}/${world.repo}`,
    default_branch: 'main',
  });
  (repo['owner'] as Json)['login'] = world.owner;
}

export function githubPullRequestEvent(
  world: FakeWorld,
  pull: FakePull,
  action: 'opened' | 'synchronize',
): Json {
  const payload = example('pull_request', action);
  payload['number'] = pull.number;
  patchPull(payload, world, pull);
  return payload;
}

export function githubReviewEvent(
  world: FakeWorld,
  pull: FakePull,
  action: 'submitted' | 'dismissed',
  reviewer: string,
): Json {
  const payload = example('pull_request_review', action);
  patchPull(payload, world, pull);
  const review = payload['review'] as Json;
  const r = pull.reviews.filter((x) => x.user === reviewer).at(-1)!;
  Object.assign(review, {
    id: r.id,
    body: r.body,
    commit_id: r.commit,
    state: r.dismissed ? 'dismissed' : r.state.toLowerCase(),
  });
  (review['user'] as Json)['login'] = reviewer;
  return payload;
}

/** A completed run of the unprivileged workflow; `pull_requests` is empty, as it is for forks. */
export function githubWorkflowRunEvent(world: FakeWorld, pull: FakePull): Json {
  const payload = example('workflow_run', 'completed');
  const run = payload['workflow_run'] as Json;
  Object.assign(run, {
    head_sha: pull.headSha,
    head_branch: pull.headRef,
    pull_requests: [],
    event: 'pull_request',
  });
  patchRepo(payload, world);
  return payload;
}

function giteaUser(login: string): Json {
  return {
    id: login.length * 7919,
    login,
    login_name: '',
    full_name: '',
    email: `${login}@noreply.gitea.example`,
    username: login,
  };
}

function giteaPull(world: FakeWorld, pull: FakePull): Json {
  return {
    id: pull.number * 101,
    number: pull.number,
    user: giteaUser(pull.author),
    title: pull.title,
    state: pull.state,
    merged: false,
    head: { label: pull.headRef, ref: pull.headRef, sha: pull.headSha, repo_id: 1 },
    base: {
      label: pull.baseRef,
      ref: pull.baseRef,
      sha: world.branches.get(pull.baseRef) ?? pull.baseSha,
      repo_id: 1,
    },
    merge_base: pull.baseSha,
    labels: [],
  };
}

function giteaRepository(world: FakeWorld): Json {
  return {
    id: 1,
    owner: giteaUser(world.owner),
    name: world.repo,
    full_name: `${world.owner}/${world.repo}`,
    default_branch: 'main',
    private: true,
  };
}

export function giteaPullRequestEvent(
  world: FakeWorld,
  pull: FakePull,
  action: 'opened' | 'synchronized',
): Json {
  return {
    action,
    number: pull.number,
    pull_request: giteaPull(world, pull),
    requested_reviewer: null,
    repository: giteaRepository(world),
    sender: giteaUser(pull.author),
    commit_id: '',
  };
}

export function giteaReviewEvent(world: FakeWorld, pull: FakePull, reviewer: string): Json {
  const r = pull.reviews.filter((x) => x.user === reviewer).at(-1)!;
  const type = {
    APPROVED: 'pull_request_review_approved',
    CHANGES_REQUESTED: 'pull_request_review_rejected',
  }[r.state as string];
  return {
    action: 'reviewed',
    number: pull.number,
    pull_request: giteaPull(world, pull),
    requested_reviewer: null,
    repository: giteaRepository(world),
    sender: giteaUser(reviewer),
    commit_id: r.commit,
    review: { type: type ?? 'pull_request_review_comment', content: r.body },
  };
}

/**
 * A push to a branch: GitHub's recorded `push` payload (refs/heads/master) with this test's ref and
 * commits put in. `before`/`after` are what a merge (or a direct push) moved the branch between.
 */
export function githubPushEvent(
  world: FakeWorld,
  init: { branch: string; before: string; after: string; pusher?: string },
): Json {
  const group = (examples as unknown as Array<{ name: string; examples: Json[] }>).find(
    (e) => e.name === 'push',
  );
  const recorded = group?.examples.find((e) => String(e['ref']).startsWith('refs/heads/'));
  if (!recorded) throw new Error('no recorded branch push payload in @octokit/webhooks-examples');
  const payload = structuredClone(recorded);
  Object.assign(payload, {
    ref: `refs/heads/${init.branch}`,
    before: init.before,
    after: init.after,
    created: false,
    deleted: false,
    forced: false,
  });
  (payload['pusher'] as Json)['name'] = init.pusher ?? 'dora';
  patchRepo(payload, world);
  return payload;
}

/** Gitea's push payload (modules/structs/hook.go PushPayload): the same ref/before/after. */
export function giteaPushEvent(
  world: FakeWorld,
  init: { branch: string; before: string; after: string; pusher?: string },
): Json {
  const pusher = giteaUser(init.pusher ?? 'dora');
  return {
    ref: `refs/heads/${init.branch}`,
    before: init.before,
    after: init.after,
    compare_url: `https://gitea.example/${world.owner}/${world.repo}/compare/${init.before}...${init.after}`,
    commits: [
      { id: init.after, message: 'Merge', url: '', author: { name: 'dora', email: '', username: 'dora' } },
    ],
    total_commits: 1,
    head_commit: { id: init.after, message: 'Merge', url: '' },
    repository: giteaRepository(world),
    pusher,
    sender: pusher,
  };
}

/** The `pull_request` `closed` event of a merged pull request (GitHub's recorded payload, merged). */
export function githubMergedEvent(world: FakeWorld, pull: FakePull): Json {
  const payload = example('pull_request', 'closed');
  payload['number'] = pull.number;
  patchPull(payload, world, pull);
  const pr = payload['pull_request'] as Json;
  Object.assign(pr, {
    state: 'closed',
    merged: true,
    merge_commit_sha: pull.merged?.commit ?? null,
    merged_by: { ...(pr['user'] as Json), login: pull.merged?.by ?? 'dora' },
  });
  return payload;
}

/** Gitea's `pull_request` `closed` event of a merged pull request. */
export function giteaMergedEvent(world: FakeWorld, pull: FakePull): Json {
  return {
    action: 'closed',
    number: pull.number,
    pull_request: {
      ...giteaPull(world, pull),
      state: 'closed',
      merged: true,
      merge_commit_sha: pull.merged?.commit ?? '',
      merged_by: giteaUser(pull.merged?.by ?? 'dora'),
    },
    repository: giteaRepository(world),
    sender: giteaUser(pull.merged?.by ?? 'dora'),
    commit_id: '',
  };
}
