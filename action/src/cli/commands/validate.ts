import type { Command } from '../command.js';
import { ExitCode } from '../command.js';

// Placeholder until this command lands; it refuses rather than pretending to work.
export const validateCommand: Command = {
  name: 'validate',
  summary: 'not available yet',
  help: 'egress-gate validate: not available yet.',
  async run(_argv, io) {
    io.stderr('egress-gate validate: not available yet\n');
    return ExitCode.usage;
  },
};
