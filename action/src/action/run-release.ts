import { EgressError } from '../shared/errors.js';
import type { ReleaseRun } from './run.js';

/**
 * Release mode (merge → re-verify → pack → deliver). A placeholder until the release flow lands:
 * it delivers nothing and says so, so a push still goes on to re-evaluate the open requests.
 */
export async function runRelease(run: ReleaseRun): Promise<void> {
  const what = run.trigger.kind === 'push' ? `push to ${run.trigger.ref}` : `merge of #${run.trigger.number}`;
  throw new EgressError(
    'USAGE',
    `mode 'release' (merge → package → deliver) is not available in this version of egress-gate yet; nothing was delivered for the ${what}.`,
  );
}
