import type {
  Branch,
  ChangedFile,
  Comment,
  Commit,
  CommitStatus,
  Compare,
  ContentsResponse,
  Label,
  PullRequest,
  PullReview,
  User,
} from 'gitea-js';
import { changedFiles, type FakePull, type FakeWorld, listDir, nextId, now, reachable } from './model.js';
import { type FakeRequest, type FakeResponse, json, type Route, raw, route } from './router.js';

/**
 * Gitea's REST answers (`/api/v1`), typed by gitea-js (generated from Gitea's swagger). Where
 * Gitea differs from GitHub the fake differs too: review states, `dismissed`/`stale` flags,
 * `base.sha` = the base branch's tip, labels by id, one pull request per commit, X-Total-Count.
 */
const web = 'https://gitea.example';

function user(login: string): User {
  return {
    id: login.length * 7919,
    login,
    login_name: '',
    full_name: '',
    email: `${login}@noreply.gitea.example`,
    avatar_url: `${web}/avatars/${login}`,
    html_url: `${web}/${login}`,
    language: '',
    is_admin: false,
    restricted: false,
    active: true,
    prohibit_login: false,
    visibility: 'public',
  };
}

function label(world: FakeWorld, name: string): Label {
  const l = world.repoLabels.find((x) => x.name === name);
  return {
    id: l?.id ?? 0,
    name,
    exclusive: false,
    is_archived: false,
    color: (l?.color ?? '#ededed').replace('#', ''),
    description: l?.description ?? '',
    url: `${web}/api/v1/repos/${world.owner}/${world.repo}/labels/${l?.id ?? 0}`,
  };
}

function pullShape(world: FakeWorld, p: FakePull): PullRequest {
  return {
    id: p.number * 101,
    url: `${web}/${world.owner}/${world.repo}/pulls/${p.number}`,
    number: p.number,
    user: user(p.author),
    title: p.title,
    body: '',
    labels: p.labels.map((n) => label(world, n)),
    state: p.state,
    is_locked: false,
    comments: world.comments.filter((c) => c.issue === p.number).length,
    html_url: `${web}/${world.owner}/${world.repo}/pulls/${p.number}`,
    diff_url: `${web}/${world.owner}/${world.repo}/pulls/${p.number}.diff`,
    patch_url: `${web}/${world.owner}/${world.repo}/pulls/${p.number}.patch`,
    mergeable: p.state === 'open',
    merged: p.merged !== undefined,
    ...(p.merged
      ? {
          merged_by: user(p.merged.by),
          merged_at: p.merged.at,
          merge_commit_sha: p.merged.commit,
          closed_at: p.merged.at,
        }
      : {}),
    changed_files: changedFiles(world, p).length,
    draft: false,
    head: { label: p.headRef, ref: p.headRef, sha: p.headSha, repo_id: 1 },
    // Gitea reports the base branch's current tip here, and the fork point as merge_base.
    base: { label: p.baseRef, ref: p.baseRef, sha: world.branches.get(p.baseRef) ?? p.baseSha, repo_id: 1 },
    merge_base: p.baseSha,
    created_at: '2026-03-01T09:00:00Z',
    updated_at: '2026-03-01T09:00:00Z',
  };
}

function commitShape(world: FakeWorld, sha: string): Commit {
  const api = `${web}/api/v1/repos/${world.owner}/${world.repo}`;
  return {
    sha,
    url: `${api}/git/commits/${sha}`,
    html_url: `${web}/${world.owner}/${world.repo}/commit/${sha}`,
    created: '2026-03-01T09:00:00Z',
    commit: {
      message: `commit ${sha.slice(0, 7)}`,
      tree: { sha, url: `${api}/git/trees/${sha}`, created: '2026-03-01T09:00:00Z' },
      url: `${api}/git/commits/${sha}`,
    },
    parents: (world.parents.get(sha) ?? []).map((parent) => ({
      sha: parent,
      url: `${api}/git/commits/${parent}`,
      created: '2026-03-01T09:00:00Z',
    })),
  };
}

const reviewState: Record<FakePull['reviews'][number]['state'], string> = {
  APPROVED: 'APPROVED',
  CHANGES_REQUESTED: 'REQUEST_CHANGES',
  COMMENTED: 'COMMENT',
  PENDING: 'PENDING',
};

function review(world: FakeWorld, p: FakePull, r: FakePull['reviews'][number]): PullReview {
  return {
    id: r.id,
    user: user(r.user),
    // A dismissed review keeps its state on Gitea; only the flag says it no longer counts.
    state: reviewState[r.state],
    body: r.body,
    commit_id: r.commit,
    stale: r.commit !== p.headSha,
    official: true,
    dismissed: r.dismissed,
    comments_count: 0,
    submitted_at: r.submittedAt,
    updated_at: r.submittedAt,
    html_url: `${web}/${world.owner}/${world.repo}/pulls/${p.number}#issuecomment-${r.id}`,
    pull_request_url: `${web}/${world.owner}/${world.repo}/pulls/${p.number}`,
  };
}

function comment(world: FakeWorld, c: FakeWorld['comments'][number]): Comment {
  return {
    id: c.id,
    html_url: `${web}/${world.owner}/${world.repo}/pulls/${c.issue}#issuecomment-${c.id}`,
    pull_request_url: `${web}/${world.owner}/${world.repo}/pulls/${c.issue}`,
    issue_url: '',
    user: user(c.user),
    original_author: '',
    original_author_id: 0,
    body: c.body,
    assets: [],
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

/** Gitea pages with `page`/`limit` (at most 50) and reports the total in X-Total-Count. */
function paged<T>(request: FakeRequest, all: T[]): FakeResponse {
  const limit = Math.min(Number(request.query.get('limit') ?? 30) || 30, 50);
  const page = Number(request.query.get('page') ?? 1) || 1;
  return json(200, all.slice((page - 1) * limit, page * limit), { 'x-total-count': String(all.length) });
}

const notFound = (what: string): FakeResponse =>
  json(404, { errors: [], message: `${what} not found`, url: `${web}/api/swagger` });

export function giteaRoutes(world: FakeWorld): Route[] {
  const repo = `/repos/${world.owner}/${world.repo}`;
  const pull = (n: string) => world.pulls.get(Number(n));
  const body = (r: FakeRequest) => (r.body ?? {}) as Record<string, unknown>;
  return [
    route('GET', '/user', () =>
      world.userEndpointForbidden
        ? json(403, { message: 'token does not have required scope' })
        : json(200, user(world.botLogin)),
    ),
    route('GET', `${repo}/pulls/:n`, (_r, [n]) => {
      const p = pull(n!);
      return p ? json(200, pullShape(world, p)) : notFound('pull request');
    }),
    route('GET', `${repo}/pulls/:n/files`, (r, [n]) => {
      const p = pull(n!);
      if (!p) return notFound('pull request');
      const files: ChangedFile[] = changedFiles(world, p).map((f) => ({
        filename: f.path,
        // Gitea says `deleted` and `changed` where GitHub says `removed` and `modified`.
        status: f.status === 'removed' ? 'deleted' : f.status === 'modified' ? 'changed' : f.status,
        additions: 1,
        deletions: 0,
        changes: 1,
        html_url: `${web}/${world.owner}/${world.repo}/src/commit/${p.headSha}/${f.path}`,
        contents_url: `${web}/api/v1${repo}/contents/${f.path}?ref=${p.headSha}`,
        raw_url: `${web}/${world.owner}/${world.repo}/raw/commit/${p.headSha}/${f.path}`,
      }));
      return paged(r, files);
    }),
    route('GET', `${repo}/pulls/:n/reviews`, (r, [n]) => {
      const p = pull(n!);
      if (!p) return notFound('pull request');
      return paged(
        r,
        p.reviews.map((x) => review(world, p, x)),
      );
    }),
    route('GET', `${repo}/contents/*`, (r, [path]) => {
      const ref = r.query.get('ref');
      const tree = ref ? world.commits.get(ref) : undefined;
      if (!tree) return notFound(`ref ${ref}`);
      const text = tree.get(path!);
      const meta = (p: string, type: string): ContentsResponse => ({
        name: p.split('/').pop()!,
        path: p,
        sha: ref!,
        last_commit_sha: ref!,
        type,
        size: 0,
        url: `${web}/api/v1${repo}/contents/${p}?ref=${ref}`,
        html_url: `${web}/${world.owner}/${world.repo}/src/commit/${ref}/${p}`,
        git_url: `${web}/api/v1${repo}/git/blobs/${ref}`,
        download_url: `${web}/${world.owner}/${world.repo}/raw/commit/${ref}/${p}`,
        _links: {},
      });
      if (text !== undefined) {
        return json(200, {
          ...meta(path!, 'file'),
          size: Buffer.byteLength(text),
          encoding: 'base64',
          content: Buffer.from(text).toString('base64'),
        } satisfies ContentsResponse);
      }
      const entries = listDir(tree, path!);
      if (entries.length === 0) return notFound('file');
      return json(
        200,
        entries.map((e) => meta(e.path, e.type)),
      );
    }),
    // A file's bytes (or its LFS object); 404 for directories and absent paths.
    route('GET', `${repo}/media/*`, (r, [path]) => {
      const ref = r.query.get('ref');
      const text = ref ? world.commits.get(ref)?.get(path!) : undefined;
      if (text === undefined) return notFound('file');
      return raw(200, Buffer.from(text), 'text/plain; charset=utf-8');
    }),
    // Gitea ≥ 1.22.1: the pull request *merged as* this commit; 404 for any other commit.
    route('GET', `${repo}/commits/:sha/pull`, (_r, [sha]) => {
      const p = [...world.pulls.values()].find((x) => x.merged?.commit === sha);
      return p ? json(200, pullShape(world, p)) : notFound('pull request');
    }),
    // No base filter on Gitea's list (before 1.26); callers filter on base.ref.
    route('GET', `${repo}/pulls`, (r) => {
      const state = r.query.get('state') ?? 'open';
      const found = [...world.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .sort((a, b) => b.number - a.number)
        .map((p) => pullShape(world, p));
      return paged(r, found);
    }),
    route('GET', `${repo}/branches/:branch`, (_r, [branch]) => {
      const tip = world.branches.get(branch!);
      if (!tip) return notFound('branch');
      const shape: Branch = {
        name: branch!,
        commit: {
          id: tip,
          message: `commit ${tip.slice(0, 7)}`,
          url: `${web}/${world.owner}/${world.repo}/commit/${tip}`,
          timestamp: '2026-03-01T09:00:00Z',
        },
        protected: true,
        user_can_merge: true,
        user_can_push: false,
      };
      return json(200, shape);
    }),
    route('GET', `${repo}/git/commits/:sha`, (_r, [sha]) =>
      world.commits.has(sha!) ? json(200, commitShape(world, sha!)) : notFound(`commit ${sha}`),
    ),
    // Commits the head has and the base has not. Some Gitea versions answer 404 for two commit
    // ids (go-gitea/gitea#32723); `giteaCompareShas: false` models them.
    route('GET', `${repo}/compare/:basehead`, (r, [basehead]) => {
      const [base, head, ...rest] = basehead!.split('...');
      if (!world.giteaCompareShas) return notFound('GetRefCommitID');
      if (!base || !head || rest.length > 0 || !world.commits.has(base) || !world.commits.has(head)) {
        return notFound('GetRefCommitID');
      }
      const fromBase = reachable(world, base);
      const ahead = [...reachable(world, head)].filter((c) => !fromBase.has(c));
      const limit = Math.min(Number(r.query.get('limit') ?? 50) || 50, 50);
      const shape: Compare = {
        total_commits: ahead.length,
        commits: ahead.slice(0, limit).map((c) => commitShape(world, c)),
      };
      return json(200, shape);
    }),
    route('POST', `${repo}/statuses/:sha`, (r, [sha]) => {
      const b = body(r);
      if (!world.commits.has(sha!)) return json(404, { message: 'commit not found' });
      if (!['pending', 'success', 'error', 'failure', 'warning'].includes(String(b['state']))) {
        return json(422, { message: `invalid state ${String(b['state'])}` });
      }
      const s = {
        id: nextId(world),
        sha: sha!,
        state: String(b['state']),
        context: String(b['context'] ?? ''),
        description: String(b['description'] ?? ''),
        targetUrl: typeof b['target_url'] === 'string' ? b['target_url'] : null,
        creator: world.botLogin,
        createdAt: now(world),
      };
      world.statuses.push(s);
      const shape: CommitStatus = {
        id: s.id,
        status: s.state,
        context: s.context,
        description: s.description,
        target_url: s.targetUrl ?? '',
        url: `${web}/api/v1${repo}/statuses/${sha}`,
        creator: user(s.creator),
        created_at: s.createdAt,
        updated_at: s.createdAt,
      };
      return json(201, shape);
    }),
    route('GET', `${repo}/issues/:n/comments`, (_r, [n]) =>
      json(
        200,
        world.comments.filter((c) => c.issue === Number(n)).map((c) => comment(world, c)),
      ),
    ),
    route('POST', `${repo}/issues/:n/comments`, (r, [n]) => {
      if (!pull(n!)) return notFound('issue');
      const at = now(world);
      const c = {
        id: nextId(world),
        issue: Number(n),
        user: world.botLogin,
        body: String(body(r)['body']),
        createdAt: at,
        updatedAt: at,
      };
      world.comments.push(c);
      return json(201, comment(world, c));
    }),
    route('PATCH', `${repo}/issues/comments/:id`, (r, [id]) => {
      const c = world.comments.find((x) => x.id === Number(id));
      if (!c) return notFound('comment');
      if (c.user !== world.botLogin) return json(403, { message: 'user should be the poster' });
      c.body = String(body(r)['body']);
      c.updatedAt = now(world);
      return json(200, comment(world, c));
    }),
    route('GET', `${repo}/labels`, (r) =>
      paged(
        r,
        world.repoLabels.map((l) => label(world, l.name)),
      ),
    ),
    route('POST', `${repo}/labels`, (r) => {
      const b = body(r);
      const name = String(b['name'] ?? '');
      if (!name || typeof b['color'] !== 'string')
        return json(422, { message: 'name and color are required' });
      if (world.repoLabels.some((l) => l.name === name))
        return json(409, { message: 'label already exists' });
      world.repoLabels.push({
        id: nextId(world),
        name,
        color: b['color'],
        description: String(b['description'] ?? ''),
      });
      return json(201, label(world, name));
    }),
    route('POST', `${repo}/issues/:n/labels`, (r, [n]) => {
      const p = pull(n!);
      if (!p) return notFound('issue');
      const ids = body(r)['labels'];
      if (!Array.isArray(ids)) return json(422, { message: 'labels is required' });
      for (const id of ids) {
        // Unknown labels are an error on Gitea; it does not create them.
        const l = world.repoLabels.find((x) => x.id === id || x.name === id);
        if (!l) return json(422, { message: `label ${JSON.stringify(id)} does not exist` });
        if (!p.labels.includes(l.name)) p.labels.push(l.name);
      }
      return json(
        200,
        p.labels.map((x) => label(world, x)),
      );
    }),
    route('DELETE', `${repo}/issues/:n/labels/:id`, (_r, [n, id]) => {
      const p = pull(n!);
      // Gitea removes by numeric id; a name here is a client bug and answers 422 like Gitea does.
      if (!/^\d+$/.test(id!)) return json(422, { message: `invalid label id ${id}` });
      const l = world.repoLabels.find((x) => x.id === Number(id));
      if (!p || !l || !p.labels.includes(l.name)) return notFound('label');
      p.labels = p.labels.filter((x) => x !== l.name);
      return { status: 204 };
    }),
  ];
}
