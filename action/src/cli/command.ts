/** What every CLI command shares: its description for --help, and how it is run. */
export const ExitCode = {
  ok: 0,
  /** The request is invalid or does not pass. */
  failed: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** Transient external failure: worth a retry. */
  transient: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Working directory the relative paths are resolved against. */
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface Command {
  name: string;
  /** Full help text printed by `egress-gate <name> --help`. */
  help: string;
  run(argv: string[], io: CliIo): Promise<ExitCode>;
}
