#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// action/src/shared/errors.ts
var EgressError = class extends Error {
  code;
  /** True when retrying the same operation later may succeed (network, rate limit, 5xx). */
  transient;
  constructor(code, message, options = {}) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "EgressError";
    this.code = code;
    this.transient = options.transient ?? false;
  }
};
function isEgressError(error) {
  return error instanceof EgressError;
}
function describeError(error) {
  if (error instanceof Error) return error.message;
  return String(error);
}

// action/src/cli/command.ts
var ExitCode = {
  ok: 0,
  /** The request is invalid or does not pass. */
  failed: 1,
  /** Usage or configuration error. */
  usage: 2,
  /** Transient external failure: worth a retry. */
  transient: 3
};

// action/src/cli/commands/check.ts
var checkCommand = {
  name: "check",
  summary: "not available yet",
  help: "egress-gate check: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate check: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/demo.ts
var demoCommand = {
  name: "demo",
  summary: "not available yet",
  help: "egress-gate demo: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate demo: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/evaluate.ts
var evaluateCommand = {
  name: "evaluate",
  summary: "not available yet",
  help: "egress-gate evaluate: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate evaluate: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/lock.ts
var lockCommand = {
  name: "lock",
  summary: "not available yet",
  help: "egress-gate lock: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate lock: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/pack.ts
var packCommand = {
  name: "pack",
  summary: "not available yet",
  help: "egress-gate pack: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate pack: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/validate.ts
var validateCommand = {
  name: "validate",
  summary: "not available yet",
  help: "egress-gate validate: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate validate: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/verify.ts
var verifyCommand = {
  name: "verify",
  summary: "not available yet",
  help: "egress-gate verify: not available yet.",
  async run(_argv, io2) {
    io2.stderr("egress-gate verify: not available yet\n");
    return ExitCode.usage;
  }
};

// action/src/cli/commands/index.ts
var commands = [
  validateCommand,
  lockCommand,
  evaluateCommand,
  checkCommand,
  packCommand,
  verifyCommand,
  demoCommand
];

// action/src/cli/run.ts
function overview(list) {
  const width = Math.max(...list.map((c) => c.name.length));
  return [
    "egress-gate: reclassify and deliver outputs from a Trusted Research Environment.",
    "",
    "Usage: egress-gate <command> [options]",
    "",
    "Commands:",
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Common options: --repo <dir> (egress repository root, default: current directory),",
    "                --json (machine-readable output on stdout), --help",
    "",
    "Exit codes: 0 passed/ok, 1 invalid or does not pass, 2 usage or configuration error,",
    "            3 transient external failure (worth a retry).",
    ""
  ].join("\n");
}
async function runCli(argv, io2) {
  const [name, ...rest] = argv;
  if (name === void 0 || name === "--help" || name === "-h" || name === "help") {
    io2.stdout(overview(commands));
    return name === void 0 ? ExitCode.usage : ExitCode.ok;
  }
  if (name === "--version") {
    io2.stdout("egress-gate 0.1.0\n");
    return ExitCode.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io2.stderr(`egress-gate: unknown command '${name}'. Run 'egress-gate --help' to list the commands.
`);
    return ExitCode.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io2.stdout(command.help.endsWith("\n") ? command.help : `${command.help}
`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io2);
  } catch (error) {
    io2.stderr(`egress-gate ${name}: ${describeError(error)}
`);
    if (isEgressError(error)) {
      if (error.transient) return ExitCode.transient;
      if (error.code === "INTEGRITY") return ExitCode.failed;
      return ExitCode.usage;
    }
    return ExitCode.usage;
  }
}

// action/src/cli/main.ts
var io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env
};
process.exitCode = await runCli(process.argv.slice(2), io);
