import type { Command } from '../command.js';
import { checkCommand } from './check.js';
import { deliverCommand } from './deliver.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { lockCommand } from './lock.js';
import { packCommand } from './pack.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [
  validateCommand,
  lockCommand,
  evaluateCommand,
  checkCommand,
  packCommand,
  deliverCommand,
  verifyCommand,
  demoCommand,
];
