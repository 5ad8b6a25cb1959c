import type { Command } from '../command.js';

/**
 * The commands, each loaded only when it runs (or shows its help): `egress-gate validate` does
 * not load the forge clients, the delivery SDKs or the pack pipeline. The bundle keeps each
 * command in its own chunk (scripts/bundle.mjs), so their code is not even parsed.
 */
export interface CommandEntry {
  name: string;
  /** One line for `egress-gate --help`. */
  summary: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'validate',
    summary: 'check manifests: schema, semantics and pins against the files (file:line:col diagnostics)',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'lock',
    summary: 'fill in SHA-256 and size pins, expand directories, keep comments',
    load: async () => (await import('./lock.js')).lockCommand,
  },
  {
    name: 'evaluate',
    summary: 'resolve a request offline from a reviews file: state, tier and reasons per collection',
    load: async () => (await import('./evaluate.js')).evaluateCommand,
  },
  {
    name: 'check',
    summary: 'look for disclosure risks (small cells, identifiers, GPS, archives) in the outputs',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'pack',
    summary: 'build encrypted, signed packages (tar + OpenPGP) when the whole request passes',
    load: async () => (await import('./pack.js')).packCommand,
  },
  {
    name: 'deliver',
    summary: 'the release by hand: re-evaluate, pack and deliver every collection, with signed receipts',
    load: async () => (await import('./deliver.js')).deliverCommand,
  },
  {
    name: 'verify',
    summary: 'recipient: decrypt a package, check its signature and every hash, then extract',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'demo',
    summary: 'run a complete egress on the embedded defaults (no forge, no cloud)',
    load: async () => (await import('./demo.js')).demoCommand,
  },
];
