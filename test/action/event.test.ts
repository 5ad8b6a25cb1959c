import examples from '@octokit/webhooks-examples';
import { describe, expect, test } from 'vitest';
import { readTrigger } from '../../action/src/action/event.js';
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

  test('other events are refused with the list of supported ones', () => {
    expect(readTrigger('push', recorded('push')[0])).toMatchObject({
      kind: 'unsupported',
      reason: expect.stringContaining('pull_request, pull_request_target, pull_request_review, workflow_run'),
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
