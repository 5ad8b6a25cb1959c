import * as core from '@actions/core';
import { createRedactor } from '../shared/redact.js';
import type { ActionIo } from './run.js';

/** @actions/core behind ActionIo; every line that leaves the process is redacted first. */
export function createCoreIo(): ActionIo {
  const redactor = createRedactor();
  const clean = (text: string) => redactor.redact(text);
  return {
    setSecret(secret) {
      core.setSecret(secret);
      redactor.add(secret);
    },
    setOutput: (name, value) => core.setOutput(name, clean(value)),
    info: (message) => core.info(clean(message)),
    warning: (message) => core.warning(clean(message)),
    annotate(a) {
      const props = {
        title: 'egress-gate',
        file: a.file,
        ...(a.startLine ? { startLine: a.startLine, startColumn: a.startColumn } : {}),
      };
      if (a.severity === 'error') core.error(clean(a.message), props);
      else core.warning(clean(a.message), props);
    },
    async writeSummary(markdown) {
      // Gitea before 1.27 and local runs have no summary file; the comment carries the same report.
      if (!process.env['GITHUB_STEP_SUMMARY']) return;
      await core.summary.addRaw(clean(markdown), true).write();
    },
    setFailed: (message) => core.setFailed(clean(message)),
    redact: clean,
  };
}
