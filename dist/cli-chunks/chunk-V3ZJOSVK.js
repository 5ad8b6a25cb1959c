#!/usr/bin/env node
import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

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

export {
  ExitCode
};
