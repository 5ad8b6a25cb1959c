import type { Command } from '../command.js';
import { ExitCode } from '../command.js';

// Placeholder until this command lands; it refuses rather than pretending to work.
export const packCommand: Command = {
  name: 'pack',
  summary: 'not available yet',
  help: 'egress-gate pack: not available yet.',
  async run(_argv, io) {
    io.stderr('egress-gate pack: not available yet\n');
    return ExitCode.usage;
  },
};
