import type { Command } from '../command.js';
import { ExitCode } from '../command.js';

// Placeholder until this command lands; it refuses rather than pretending to work.
export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'not available yet',
  help: 'egress-gate evaluate: not available yet.',
  async run(_argv, io) {
    io.stderr('egress-gate evaluate: not available yet\n');
    return ExitCode.usage;
  },
};
