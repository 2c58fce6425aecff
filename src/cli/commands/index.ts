import type { Command } from 'commander';
import { register as registerCopy } from './copy.js';
import { register as registerDemo } from './demo.js';
import { register as registerDiff } from './diff.js';
import { register as registerGraph } from './graph.js';
import { register as registerImageGate } from './image-gate.js';
import { register as registerPlan } from './plan.js';
import { register as registerRuns } from './runs.js';
import { register as registerStart } from './start.js';
import { register as registerSync } from './sync.js';
import { register as registerValidate } from './validate.js';

/** Each command lives in its own file and adds itself here. */
export function registerCommands(program: Command): void {
  registerValidate(program);
  registerPlan(program);
  registerGraph(program);
  registerCopy(program);
  registerDiff(program);
  registerStart(program);
  registerSync(program);
  registerRuns(program);
  registerImageGate(program);
  registerDemo(program);
}
