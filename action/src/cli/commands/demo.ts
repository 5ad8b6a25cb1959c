import type { Command } from '../command.js';
import { ExitCode } from '../command.js';

// Placeholder until this command lands; it refuses rather than pretending to work.
export const demoCommand: Command = {
  name: 'demo',
  summary: 'not available yet',
  help: 'egress-gate demo: not available yet.',
  async run(_argv, io) {
    io.stderr('egress-gate demo: not available yet\n');
    return ExitCode.usage;
  },
};
