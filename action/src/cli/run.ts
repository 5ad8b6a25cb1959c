import { describeError, isEgressError } from '../shared/errors.js';
import { type CliIo, ExitCode } from './command.js';
import { type CommandEntry, commands } from './commands/index.js';

function overview(list: readonly CommandEntry[]): string {
  const width = list.reduce((w, c) => Math.max(w, c.name.length), 0);
  return [
    'egress-gate: reclassify and deliver outputs from a Trusted Research Environment.',
    '',
    'Usage: egress-gate <command> [options]',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --repo <dir> (egress repository root, default: the nearest folder',
    '                at or above the current one holding .egress/, as git finds .git),',
    '                --json (machine-readable output on stdout), --help',
    '',
    'Help on one command: egress-gate help <command> (or egress-gate <command> --help).',
    '',
    'Exit codes: 0 passed/ok, 1 invalid or does not pass, 2 usage or configuration error,',
    '            3 transient external failure (worth a retry).',
    '',
  ].join('\n');
}

/** Only this entry and the action's turn errors into what users see. */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  const topicEntry = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
  if (topicEntry) {
    const topic = await topicEntry.load();
    io.stdout(topic.help.endsWith('\n') ? topic.help : `${topic.help}\n`);
    return ExitCode.ok;
  }
  if (name === 'help' && rest[0] !== undefined) {
    io.stderr(
      `egress-gate: no command '${rest[0]}' to help with. Run 'egress-gate --help' to list the commands.\n`,
    );
    return ExitCode.usage;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(overview(commands));
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version') {
    io.stdout('egress-gate 0.1.0\n');
    return ExitCode.ok;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.stderr(`egress-gate: unknown command '${name}'. Run 'egress-gate --help' to list the commands.\n`);
    return ExitCode.usage;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.stderr(`egress-gate ${name}: ${describeError(error)}\n`);
    if (isEgressError(error)) {
      if (error.transient) return ExitCode.transient;
      if (error.code === 'INTEGRITY') return ExitCode.failed;
      return ExitCode.usage;
    }
    return ExitCode.usage;
  }
}
