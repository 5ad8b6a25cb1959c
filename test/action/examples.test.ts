import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { supportedEvents } from '../../action/src/action/event.js';

/** The recommended workflow files only use events the action handles, and never check out PR code. */
const root = resolve(import.meta.dirname, '../../examples/workflows');

test.each(['.github/workflows', '.gitea/workflows'])('%s', async (dir) => {
  const names = (await readdir(join(root, dir))).filter((n) => n.endsWith('.yml'));
  expect(names).toContain('egress-review.yml');
  for (const name of names) {
    const text = await readFile(join(root, dir, name), 'utf8');
    const workflow = parse(text) as {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: Array<Record<string, unknown>> }>;
    };
    const events = Object.keys(workflow.on);
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
