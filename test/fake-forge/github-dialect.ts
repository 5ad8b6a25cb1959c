import type { components } from '@octokit/openapi-types';
import {
  blobId,
  changedFiles,
  type FakePull,
  type FakeWorld,
  findBlob,
  listDir,
  nextId,
  now,
  reachable,
} from './model.js';
import { type FakeRequest, type FakeResponse, json, type Route, raw, route } from './router.js';

/**
 * GitHub's REST answers, typed by GitHub's published OpenAPI description (@octokit/openapi-types)
 * so a field the real API does not have, or has with another type, fails to compile.
 */
type S = components['schemas'];
type PullShape = Pick<
  S['pull-request'],
  | 'url'
  | 'id'
  | 'node_id'
  | 'html_url'
  | 'number'
  | 'state'
  | 'locked'
  | 'title'
  | 'user'
  | 'body'
  | 'labels'
  | 'created_at'
  | 'updated_at'
  | 'closed_at'
  | 'merged_at'
  | 'merge_commit_sha'
  | 'draft'
  | 'merged'
  | 'merged_by'
  | 'author_association'
  | 'commits'
  | 'changed_files'
> & {
  head: Pick<S['pull-request']['head'], 'label' | 'ref' | 'sha' | 'user'>;
  base: Pick<S['pull-request']['base'], 'label' | 'ref' | 'sha' | 'user'>;
};
type ListedPullShape = Pick<
  S['pull-request-simple'],
  'url' | 'id' | 'number' | 'state' | 'title' | 'user' | 'merged_at' | 'merge_commit_sha'
> & {
  head: Pick<S['pull-request-simple']['head'], 'ref' | 'sha'>;
  base: Pick<S['pull-request-simple']['base'], 'ref' | 'sha'>;
};

const web = 'https://github.example';

function user(login: string, type: 'User' | 'Bot' = 'User'): S['simple-user'] {
  return {
    login,
    id: login.length * 7919,
    node_id: `U_${login}`,
    avatar_url: `${web}/avatars/${login}`,
    gravatar_id: '',
    url: `${web}/api/users/${login}`,
    html_url: `${web}/${login}`,
    followers_url: '',
    following_url: '',
    gists_url: '',
    starred_url: '',
    subscriptions_url: '',
    organizations_url: '',
    repos_url: '',
    events_url: '',
    received_events_url: '',
    type,
    site_admin: false,
  };
}

function label(world: FakeWorld, name: string): S['label'] {
  const known = world.repoLabels.find((l) => l.name === name);
  return {
    id: known?.id ?? 0,
    node_id: `L_${name}`,
    url: `${web}/api/repos/${world.owner}/${world.repo}/labels/${encodeURIComponent(name)}`,
    name,
    description: known?.description ?? null,
    color: (known?.color ?? 'ededed').replace('#', ''),
    default: false,
  };
}

function pullShape(world: FakeWorld, p: FakePull): PullShape {
  const repoUrl = `${web}/${world.owner}/${world.repo}`;
  return {
    url: `${web}/api/repos/${world.owner}/${world.repo}/pulls/${p.number}`,
    id: p.number * 101,
    node_id: `PR_${p.number}`,
    html_url: `${repoUrl}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: user(p.author),
    body: null,
    labels: p.labels.map((n) => ({ ...label(world, n), id: label(world, n).id })),
    created_at: '2026-03-01T09:00:00Z',
    updated_at: '2026-03-01T09:00:00Z',
    closed_at: p.merged?.at ?? null,
    merged_at: p.merged?.at ?? null,
    merge_commit_sha: p.merged?.commit ?? null,
    draft: false,
    merged: p.merged !== undefined,
    merged_by: p.merged ? user(p.merged.by) : null,
    author_association: 'CONTRIBUTOR',
    commits: 1,
    changed_files: changedFiles(world, p).length,
    head: { label: `${world.owner}:${p.headRef}`, ref: p.headRef, sha: p.headSha, user: user(world.owner) },
    base: { label: `${world.owner}:${p.baseRef}`, ref: p.baseRef, sha: p.baseSha, user: user(world.owner) },
  };
}

/** A pull request as GitHub lists it (pulls?state=, commits/{sha}/pulls): no `merged`, but `merged_at`. */
function listedPull(world: FakeWorld, p: FakePull): ListedPullShape {
  const full = pullShape(world, p);
  return {
    url: full.url,
    id: full.id,
    number: p.number,
    state: p.state,
    title: p.title,
    user: full.user,
    merged_at: full.merged_at,
    merge_commit_sha: full.merge_commit_sha,
    head: { ref: p.headRef, sha: p.headSha },
    base: { ref: p.baseRef, sha: p.baseSha },
  };
}

type CommitShape = Pick<S['commit'], 'url' | 'sha' | 'node_id' | 'html_url' | 'parents'> & {
  commit: Pick<S['commit']['commit'], 'message' | 'tree'>;
};

function commitShape(world: FakeWorld, sha: string): CommitShape {
  const api = `${web}/api/repos/${world.owner}/${world.repo}`;
  return {
    url: `${api}/commits/${sha}`,
    sha,
    node_id: `C_${sha}`,
    html_url: `${web}/${world.owner}/${world.repo}/commit/${sha}`,
    commit: { message: `commit ${sha.slice(0, 7)}`, tree: { sha, url: `${api}/git/trees/${sha}` } },
    parents: (world.parents.get(sha) ?? []).map((parent) => ({
      sha: parent,
      url: `${api}/commits/${parent}`,
      html_url: `${web}/${world.owner}/${world.repo}/commit/${parent}`,
    })),
  };
}

function review(world: FakeWorld, p: FakePull, r: FakePull['reviews'][number]): S['pull-request-review'] {
  const url = `${web}/${world.owner}/${world.repo}/pull/${p.number}`;
  return {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: user(r.user),
    body: r.body,
    // GitHub turns a dismissed review's state into DISMISSED.
    state: r.dismissed ? 'DISMISSED' : r.state,
    html_url: `${url}#pullrequestreview-${r.id}`,
    pull_request_url: `${web}/api/repos/${world.owner}/${world.repo}/pulls/${p.number}`,
    _links: { html: { href: url }, pull_request: { href: url } },
    ...(r.state === 'PENDING' ? {} : { submitted_at: r.submittedAt }),
    commit_id: r.commit,
    author_association: 'COLLABORATOR',
  };
}

function comment(world: FakeWorld, c: FakeWorld['comments'][number]): S['issue-comment'] {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${web}/api/repos/${world.owner}/${world.repo}/issues/comments/${c.id}`,
    body: c.body,
    html_url: `${web}/${world.owner}/${world.repo}/pull/${c.issue}#issuecomment-${c.id}`,
    user: user(c.user, c.user.endsWith('[bot]') ? 'Bot' : 'User'),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${web}/api/repos/${world.owner}/${world.repo}/issues/${c.issue}`,
    author_association: 'NONE',
  };
}

/** GitHub pages with `per_page`/`page` and a Link header naming the next page. */
function paged<T>(request: FakeRequest, all: T[]): FakeResponse {
  const perPage = Math.min(Number(request.query.get('per_page') ?? 30) || 30, 100);
  const page = Number(request.query.get('page') ?? 1) || 1;
  const items = all.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < all.length) {
    const next = new URLSearchParams(request.query);
    next.set('page', String(page + 1));
    next.set('per_page', String(perPage));
    const last = new URLSearchParams(next);
    last.set('page', String(Math.ceil(all.length / perPage)));
    headers['link'] =
      `<${request.apiUrl}${request.path}?${next}>; rel="next", <${request.apiUrl}${request.path}?${last}>; rel="last"`;
  }
  return json(200, items, headers);
}

const notFound = (what: string): FakeResponse =>
  json(404, {
    message: `Not Found: ${what}`,
    documentation_url: 'https://docs.github.com/rest',
    status: '404',
  });

/** GitHub refuses comment bodies over 65,536 characters. */
const tooLong = (r: FakeRequest) =>
  String((r.body as { body?: unknown } | undefined)?.body ?? '').length > 65_536;
const bodyTooLong = json(422, {
  message: 'Validation Failed',
  errors: [
    {
      resource: 'IssueComment',
      code: 'unprocessable',
      field: 'data',
      message: 'Body is too long (maximum is 65536 characters)',
    },
  ],
  documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  status: '422',
});

export function githubRoutes(world: FakeWorld): Route[] {
  const repo = `/repos/${world.owner}/${world.repo}`;
  const pull = (n: string) => world.pulls.get(Number(n));
  const body = (r: FakeRequest) => (r.body ?? {}) as Record<string, unknown>;
  return [
    route('GET', '/user', () =>
      world.userEndpointForbidden
        ? json(403, {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user',
            status: '403',
          })
        : json(200, user(world.botLogin)),
    ),
    route('GET', `${repo}/pulls/:n`, (_r, [n]) => {
      const p = pull(n!);
      return p ? json(200, pullShape(world, p)) : notFound(`pull ${n}`);
    }),
    route('GET', `${repo}/pulls/:n/files`, (r, [n]) => {
      const p = pull(n!);
      if (!p) return notFound(`pull ${n}`);
      // GitHub lists at most 3,000 files of a pull request; `changed_files` still counts them all.
      const files: S['diff-entry'][] = changedFiles(world, p)
        .slice(0, world.fileListLimit)
        .map((f) => ({
          sha: p.headSha,
          filename: f.path,
          status: f.status,
          additions: 1,
          deletions: 0,
          changes: 1,
          blob_url: `${web}/${world.owner}/${world.repo}/blob/${p.headSha}/${f.path}`,
          raw_url: `${web}/${world.owner}/${world.repo}/raw/${p.headSha}/${f.path}`,
          contents_url: `${web}/api${repo}/contents/${f.path}?ref=${p.headSha}`,
        }));
      return paged(r, files);
    }),
    route('GET', `${repo}/pulls/:n/reviews`, (r, [n]) => {
      const p = pull(n!);
      if (!p) return notFound(`pull ${n}`);
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
      const meta = (p: string, type: 'file' | 'dir') => ({
        name: p.split('/').pop()!,
        path: p,
        sha: `${ref}`,
        url: `${web}/api${repo}/contents/${p}?ref=${ref}`,
        git_url: null,
        html_url: null,
        download_url: null,
        _links: { self: `${web}/api${repo}/contents/${p}`, git: null, html: null },
        type,
      });
      if (text !== undefined) {
        // Over 1 MB GitHub sends no content (encoding "none"): the blob API serves it.
        const large = Buffer.byteLength(text) > 1024 * 1024;
        const file: S['content-file'] = {
          ...meta(path!, 'file'),
          sha: blobId(text),
          type: 'file',
          encoding: large ? 'none' : 'base64',
          size: Buffer.byteLength(text),
          content: large
            ? ''
            : Buffer.from(text)
                .toString('base64')
                .replace(/(.{60})/g, '$1\n'),
        };
        return json(200, file);
      }
      const entries = listDir(tree, path!);
      if (entries.length === 0) return notFound(path!);
      const dir: S['content-directory'] = entries.map((e) => ({ ...meta(e.path, e.type), size: 0 }));
      return json(200, dir);
    }),
    route('GET', `${repo}/git/blobs/:sha`, (r, [sha]) => {
      const text = findBlob(world, sha!);
      if (text === undefined) return notFound(`blob ${sha}`);
      if (r.headers['accept'] !== 'application/vnd.github.raw+json') {
        return json(200, {
          sha,
          size: Buffer.byteLength(text),
          encoding: 'base64',
          content: Buffer.from(text).toString('base64'),
        });
      }
      return raw(200, Buffer.from(text), 'application/vnd.github.raw');
    }),
    route('GET', `${repo}/pulls`, (r) => {
      const state = r.query.get('state') ?? 'open';
      const base = r.query.get('base');
      const found = [...world.pulls.values()]
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => base === null || p.baseRef === base)
        .sort((a, b) => b.number - a.number)
        .map((p) => listedPull(world, p));
      return paged(r, found);
    }),
    // Pull requests associated with a commit: those whose head it is, and the one merged as it.
    route('GET', `${repo}/commits/:sha/pulls`, (r, [sha]) => {
      if (!world.commits.has(sha!)) return json(422, { message: `No commit found for SHA: ${sha}` });
      const found = [...world.pulls.values()]
        .filter((p) => p.headSha === sha || p.merged?.commit === sha)
        .map((p) => listedPull(world, p));
      return paged(r, found);
    }),
    route('GET', `${repo}/branches/:branch`, (_r, [branch]) => {
      const tip = world.branches.get(branch!);
      if (!tip) return notFound(`branch ${branch}`);
      const shape: Pick<S['branch-with-protection'], 'name' | '_links' | 'protected' | 'protection_url'> & {
        commit: CommitShape;
      } = {
        name: branch!,
        commit: commitShape(world, tip),
        _links: {
          html: `${web}/${world.owner}/${world.repo}/tree/${branch}`,
          self: `${web}/api${repo}/branches/${branch}`,
        },
        protected: true,
        protection_url: `${web}/api${repo}/branches/${branch}/protection`,
      };
      return json(200, shape);
    }),
    route('GET', `${repo}/commits/:sha`, (_r, [sha]) =>
      world.commits.has(sha!)
        ? json(200, commitShape(world, sha!))
        : json(422, { message: `No commit found for SHA: ${sha}` }),
    ),
    route('GET', `${repo}/compare/:basehead`, (r, [basehead]) => {
      const [base, head, ...rest] = basehead!.split('...');
      if (!base || !head || rest.length > 0 || !world.commits.has(base) || !world.commits.has(head)) {
        return notFound(`compare ${basehead}`);
      }
      const fromBase = reachable(world, base);
      const fromHead = reachable(world, head);
      const ahead = [...fromHead].filter((c) => !fromBase.has(c));
      const behind = [...fromBase].filter((c) => !fromHead.has(c));
      const status =
        base === head
          ? 'identical'
          : behind.length === 0
            ? 'ahead'
            : ahead.length === 0
              ? 'behind'
              : 'diverged';
      const perPage = Math.min(Number(r.query.get('per_page') ?? 250) || 250, 250);
      const shape: Pick<
        S['commit-comparison'],
        'url' | 'html_url' | 'status' | 'ahead_by' | 'behind_by' | 'total_commits'
      > & { commits: CommitShape[]; base_commit: CommitShape; merge_base_commit: CommitShape } = {
        url: `${web}/api${repo}/compare/${basehead}`,
        html_url: `${web}/${world.owner}/${world.repo}/compare/${basehead}`,
        base_commit: commitShape(world, base),
        merge_base_commit: commitShape(world, behind.length === 0 ? base : ahead.length === 0 ? head : base),
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: ahead.slice(0, perPage).map((c) => commitShape(world, c)),
      };
      return json(200, shape);
    }),
    route('POST', `${repo}/statuses/:sha`, (r, [sha]) => {
      const b = body(r);
      if (!world.commits.has(sha!)) return json(422, { message: `No commit found for SHA: ${sha}` });
      if (!['error', 'failure', 'pending', 'success'].includes(String(b['state']))) {
        return json(422, { message: 'Validation Failed', errors: [{ field: 'state', code: 'invalid' }] });
      }
      const s = {
        id: nextId(world),
        sha: sha!,
        state: String(b['state']),
        context: String(b['context'] ?? 'default'),
        description: String(b['description'] ?? ''),
        targetUrl: typeof b['target_url'] === 'string' ? b['target_url'] : null,
        creator: world.botLogin,
        createdAt: now(world),
      };
      world.statuses.push(s);
      const shape: S['status'] = {
        url: `${web}/api${repo}/statuses/${sha}`,
        avatar_url: null,
        id: s.id,
        node_id: `SC_${s.id}`,
        state: s.state,
        description: s.description,
        target_url: s.targetUrl,
        context: s.context,
        created_at: s.createdAt,
        updated_at: s.createdAt,
        creator: user(s.creator, 'Bot'),
      };
      return json(201, shape);
    }),
    route('GET', `${repo}/issues/:n/comments`, (r, [n]) =>
      paged(
        r,
        world.comments.filter((c) => c.issue === Number(n)).map((c) => comment(world, c)),
      ),
    ),
    route('POST', `${repo}/issues/:n/comments`, (r, [n]) => {
      if (!pull(n!)) return notFound(`issue ${n}`);
      if (tooLong(r)) return bodyTooLong;
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
      if (!c) return notFound(`comment ${id}`);
      if (c.user !== world.botLogin) return json(403, { message: 'Must have admin rights to Repository.' });
      if (tooLong(r)) return bodyTooLong;
      c.body = String(body(r)['body']);
      c.updatedAt = now(world);
      return json(200, comment(world, c));
    }),
    route('POST', `${repo}/issues/:n/labels`, (r, [n]) => {
      const p = pull(n!);
      if (!p) return notFound(`issue ${n}`);
      const names = body(r)['labels'];
      if (!Array.isArray(names)) return json(422, { message: 'Validation Failed' });
      for (const name of names.map(String)) {
        // GitHub creates a label on first use.
        if (!world.repoLabels.some((l) => l.name === name)) {
          world.repoLabels.push({ id: nextId(world), name, color: 'ededed', description: '' });
        }
        if (!p.labels.includes(name)) p.labels.push(name);
      }
      return json(
        200,
        p.labels.map((name) => label(world, name)),
      );
    }),
    route('DELETE', `${repo}/issues/:n/labels/:name`, (_r, [n, name]) => {
      const p = pull(n!);
      if (!p?.labels.includes(name!)) return notFound(`label ${name}`);
      p.labels = p.labels.filter((l) => l !== name);
      return json(
        200,
        p.labels.map((x) => label(world, x)),
      );
    }),
  ];
}
