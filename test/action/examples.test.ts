import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { supportedEvents } from '../../action/src/action/event.js';

/** The recommended workflow files only use events the action handles, and never check out PR code. */
const root = resolve(import.meta.dirname, '../../examples/workflows');

test('the action declares the runtime GitHub runs actions with', async () => {
  const action = parse(await readFile(resolve(import.meta.dirname, '../../action.yml'), 'utf8')) as {
    runs: { using: string; main: string };
  };
  expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
});

test('the review and re-evaluation paths of both forge workflows share one group key per pull request', async () => {
  const group = async (file: string) =>
    (parse(await readFile(join(root, file), 'utf8')) as { concurrency: { group: string } }).concurrency.group;
  const pr = await group('.github/workflows/egress-review.yml');
  const run = await group('.github/workflows/egress-review-run.yml');
  // pull_request_target and workflow_run name the same pull request by its head repository and branch.
  expect(pr.replace('pull_request.head.repo.full_name', 'X').replace('pull_request.head.ref', 'Y')).toBe(
    run.replace('workflow_run.head_repository.full_name', 'X').replace('workflow_run.head_branch', 'Y'),
  );
});

test.each(['.github/workflows', '.gitea/workflows'])('%s', async (dir) => {
  const names = (await readdir(join(root, dir))).filter((n) => n.endsWith('.yml'));
  expect(names).toContain('egress-review.yml');
  for (const name of names) {
    const text = await readFile(join(root, dir, name), 'utf8');
    const workflow = parse(text) as {
      on: Record<string, unknown>;
      concurrency?: { group?: string; 'cancel-in-progress'?: boolean };
      jobs: Record<string, { steps: Array<Record<string, unknown>> }>;
    };
    const events = Object.keys(workflow.on);
    if (name === 'egress-release.yml') {
      // The release: on push only; one group per request (GitHub: the delivering job's, keyed by
      // the request id), never cancelling a release in progress.
      expect(events).toEqual(['push']);
      // Every push to the protected branch runs the action (issue 9 item 1: a push changing only
      // `.egress/` re-evaluates the open requests), so no `paths` filter may narrow it.
      expect(Object.keys((workflow.on['push'] ?? {}) as object), name).toEqual(['branches']);
      if (dir === '.github/workflows') {
        const jobs = Object.values(workflow.jobs) as Array<{
          environment?: string;
          steps: Array<{ uses?: string; with?: Record<string, string> }>;
        }>;
        const gateMode = (j: (typeof jobs)[number]) =>
          j.steps.find((s) => String(s.uses ?? '').includes('egress-gate'))?.with?.['mode'];
        // A secret-free re-evaluation on every push, and the release only behind the environment.
        expect(jobs.some((j) => gateMode(j) === 'review' && j.environment === undefined)).toBe(true);
        for (const j of jobs.filter((j) => gateMode(j) === 'release')) expect(j.environment).toBeTruthy();
      }
      const groups = [
        workflow.concurrency,
        ...Object.values(workflow.jobs).map(
          (j) => (j as { concurrency?: typeof workflow.concurrency }).concurrency,
        ),
      ].filter((c) => c !== undefined);
      expect(groups.length, name).toBeGreaterThan(0);
      for (const c of groups) expect(c!['cancel-in-progress'], name).toBe(false);
      const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
      expect(steps.some((s) => String(s['uses'] ?? '').includes('checkout'))).toBe(false);
      continue;
    }
    // One concurrency group per pull request in every file, never cancelling a run in progress.
    expect(workflow.concurrency?.group, name).toMatch(
      /pull_request\.number|pull_request\.head\.ref|workflow_run\.head_branch/,
    );
    expect(workflow.concurrency?.['cancel-in-progress'], name).toBe(false);
    if (name === 'egress-review-signal.yml') {
      expect(events).toEqual(['pull_request_review']);
      expect(text).toMatch(/^permissions: \{\}$/m);
      continue;
    }
    for (const e of events) expect(supportedEvents).toContain(e);
    expect(events).not.toContain('pull_request');
    // GitHub runs pull_request_review with the pull request's own workflow file: a workflow that
    // can write statuses must never be triggered by it there (reviews signal; workflow_run evaluates).
    if (dir === '.github/workflows') expect(events).not.toContain('pull_request_review');
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    expect(steps.some((s) => String(s['uses'] ?? '').includes('checkout'))).toBe(false);
    expect(steps.some((s) => String(s['uses'] ?? '').includes('egress-gate'))).toBe(true);
  }
});
