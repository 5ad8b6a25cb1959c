/**
 * Acknowledgements from the manifest: a finding the requester explains stays visible, marked as
 * acknowledged with the reason; an acknowledgement that matches no finding is itself a finding,
 * so a stale or mistyped one cannot hide anything silently.
 */
import type { Acknowledgement } from '../manifest/types.js';
import type { Finding } from './finding.js';

export function matches(ack: Acknowledgement, f: Finding): boolean {
  return (
    ack.rule === f.rule &&
    ack.file === f.file &&
    (ack.line === undefined || ack.line === f.line) &&
    (ack.cell === undefined || ack.cell.toUpperCase() === (f.cell ?? '').toUpperCase())
  );
}

/** Marks findings in place (a copy); returns the acknowledgements (by index) that matched nothing. */
export function applyAcknowledgements(
  findings: readonly Finding[],
  acks: readonly Acknowledgement[],
): { findings: Finding[]; unmatched: number[] } {
  const used = new Set<number>();
  const out = findings.map((f) => {
    const i = acks.findIndex((a) => matches(a, f));
    if (i === -1 || f.rule === 'unmatched-acknowledgement') return f;
    used.add(i);
    // Every acknowledgement that matches counts as used, not just the first.
    acks.forEach((a, j) => {
      if (matches(a, f)) used.add(j);
    });
    return { ...f, acknowledged: { reason: acks[i]!.reason } };
  });
  const unmatched = acks.flatMap((_, i) => (used.has(i) ? [] : [i]));
  return { findings: out, unmatched };
}
