import * as core from '@actions/core';
import { describeError } from '../shared/errors.js';
import { createCoreIo } from './core-io.js';
import { readInputs, readRunnerContext } from './inputs.js';
import { run } from './run.js';

// Thin entry: read inputs and the runner's context once, run, and turn any failure into a failed step.
const io = createCoreIo();
try {
  await run(
    readInputs((name) => core.getInput(name)),
    readRunnerContext(process.env),
    io,
  );
} catch (error) {
  io.setFailed(`egress-gate: ${describeError(error)}`);
}
