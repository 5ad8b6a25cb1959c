import type { CliIo } from '../../action/src/cli/command.js';

/** A CliIo that records what the CLI prints, as a user's terminal would show it. */
export function createCapturedIo(cwd: string): CliIo & { out: () => string; err: () => string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    cwd,
    env: {},
    stdout: (text) => void stdout.push(text),
    stderr: (text) => void stderr.push(text),
    out: () => stdout.join(''),
    err: () => stderr.join(''),
  };
}
