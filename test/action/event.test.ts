import examples from '@octokit/webhooks-examples';
import { describe, expect, test } from 'vitest';
import { isMergedPull, readTrigger } from '../../action/src/action/event.js';
import { readInputs } from '../../action/src/action/inputs.js';
import { resolveForgeKind } from '../../action/src/forge/choose-forge.js';

type Example = { name: string; examples: Array<Record<string, unknown>> };
const recorded = (name: string) => (examples as unknown as Example[]).find((e) => e.name === name)!.examples;

describe('readTrigger on recorded GitHub payloads', () => {
  test.each(['pull_request', 'pull_request_review'])('%s names its pull request', (event) => {
    for (const payload of recorded(event)) {
      const pr = payload['pull_request'] as { number: number };
      expect(readTrigger(event, payload)).toMatchObject({ kind: 'pull', number: pr.number });
    }
  });

  test('pull_request.closed says whether it was merged (merged → release mode)', () => {
    const closed = recorded('pull_request').find((p) => p['action'] === 'closed')!;
    expect(readTrigger('pull_request', closed)).toMatchObject({ closed: true, merged: false });
    const merged = structuredClone(closed);
    (merged['pull_request'] as Record<string, unknown>)['merged'] = true;
    expect(readTrigger('pull_request', merged)).toMatchObject({ closed: true, merged: true });
  });

  test('workflow_run is resolved from its head commit', () => {
    for (const payload of recorded('workflow_run')) {
      const sha = (payload['workflow_run'] as { head_sha: string }).head_sha;
      expect(readTrigger('workflow_run', payload)).toEqual({ kind: 'commit', sha });
    }
  });

  test('push names the ref and the commits it moved between', () => {
    for (const payload of recorded('push')) {
      const t = readTrigger('push', payload);
      expect(t).toMatchObject({
        kind: 'push',
        ref: payload['ref'],
        before: payload['before'],
        after: payload['after'],
      });
      if (t.kind !== 'push') continue;
      expect(t.created).toBe(payload['created']);
      expect(t.deleted).toBe(payload['deleted']);
      expect(t.branch).toBe(String(payload['ref']).startsWith('refs/heads/') ? 'master' : undefined);
    }
    expect(readTrigger('push', { ref: 'refs/heads/main', before: 'x', after: 'y' })).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringContaining("'before' is not a commit id"),
    });
  });

  test('a merged pull request is the release trigger of the pull request route', () => {
    const closed = structuredClone(recorded('pull_request').find((p) => p['action'] === 'closed')!);
    expect(isMergedPull(readTrigger('pull_request', closed))).toBe(false);
    (closed['pull_request'] as Record<string, unknown>)['merged'] = true;
    const t = readTrigger('pull_request', closed);
    expect(isMergedPull(t)).toBe(true);
    expect(t).toMatchObject({ baseRef: (closed['pull_request'] as { base: { ref: string } }).base.ref });
  });

  test('other events are refused with the list of supported ones', () => {
    expect(readTrigger('release', recorded('release')[0])).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringContaining(
        'pull_request, pull_request_target, pull_request_review, workflow_run, push',
      ),
    });
  });
});

test('a Gitea review payload (action reviewed) names its pull request', () => {
  const payload = {
    action: 'reviewed',
    number: 3,
    pull_request: { number: 3, state: 'open', merged: false },
    review: { type: 'pull_request_review_approved', content: 'tier: 1' },
  };
  expect(readTrigger('pull_request_review', payload)).toMatchObject({
    kind: 'pull',
    number: 3,
    action: 'reviewed',
  });
});

describe('inputs', () => {
  const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';
  test('defaults and secrets', () => {
    expect(readInputs(from({ token: 't0k3n', 'signing-key': 'KEY' }))).toEqual({
      mode: 'auto',
      token: 't0k3n',
      forge: 'auto',
      configDir: '.egress',
      secrets: ['KEY'],
      signingKey: 'KEY',
      destinationSecrets: {},
    });
  });
  test.each([
    [{ token: 't', mode: 'deliver' }, /input 'mode' is 'deliver'; use one of 'auto', 'review', 'release'/],
    [{ token: 't', forge: 'gitlab' }, /input 'forge' is 'gitlab'/],
    [{ token: 't', 'config-dir': '../elsewhere' }, /must be a path inside the repository/],
    [{ token: '' }, /input 'token' is empty/],
  ])('%j is refused', (values, message) => {
    expect(() => readInputs(from(values))).toThrow(message);
  });
});

test.each([
  [{}, 'github'],
  [{ GITEA_ACTIONS: 'true' }, 'gitea'],
  [{ FORGEJO_ACTIONS: 'true' }, 'forgejo'],
])('forge auto with %j → %s', (env, kind) => {
  expect(resolveForgeKind('auto', env)).toBe(kind);
  expect(resolveForgeKind('github', env)).toBe('github');
});

test('a Gitea push payload carries the same ref, before and after', async () => {
  const { giteaPushEvent } = await import('./payloads.js');
  const { createWorld } = await import('../fake-forge/model.js');
  const before = 'a1'.repeat(20);
  const after = 'b2'.repeat(20);
  const payload = giteaPushEvent(createWorld(), { branch: 'main', before, after });
  expect(readTrigger('push', payload)).toEqual({
    kind: 'push',
    ref: 'refs/heads/main',
    branch: 'main',
    before,
    after,
    created: false,
    deleted: false,
  });
});
