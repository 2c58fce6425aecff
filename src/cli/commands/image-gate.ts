// `basewatch history | rollback | promote | pin | unpin REF`: the gate's operator commands on one tracked tag.
import type { Command } from 'commander';
import type { GateCommandOptions } from '../actions/image-gate.js';
import { withHostOptions } from '../host-options.js';

const actions = () => import('../actions/image-gate.js');

export function register(program: Command): void {
  withHostOptions(program.command('history'))
    .description('promotions, rejections, rollbacks and pins of a tracked tag, newest first')
    .argument('<ref>', 'tracked tag in the private registry, e.g. base/node:20')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: GateCommandOptions) => (await actions()).history(ref, options));
  withHostOptions(program.command('rollback'))
    .description('move a tag back to an earlier digest, pin it there, and rebuild its dependents')
    .argument('<ref>', 'tracked tag, e.g. base/node:20')
    .option('--to <digest>', 'the digest to return to (default: the one promoted before the current one)')
    .option('--reason <text>', 'why, kept in the history and sent in the event')
    .option('--timeout <seconds>', 'how long to wait for the rebuilds', '3600')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: GateCommandOptions) => (await actions()).rollback(ref, options));
  withHostOptions(program.command('promote'))
    .description('promote a quarantined or rejected digest by hand, overriding the gate, and rebuild')
    .argument('<ref>', 'tracked tag, e.g. base/node:20')
    .requiredOption('--digest <digest>', 'the digest to promote')
    .requiredOption('--reason <text>', 'why the gate is overridden, kept in the history')
    .option('--timeout <seconds>', 'how long to wait for the rebuilds', '3600')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: GateCommandOptions) => (await actions()).promote(ref, options));
  withHostOptions(program.command('pin'))
    .description('hold a tag where it is: cycles report upstream changes but promote nothing')
    .argument('<ref>', 'tracked tag, e.g. base/node:20')
    .option('--reason <text>', 'why, kept in the history')
    .action(async (ref: string, options: GateCommandOptions) => (await actions()).pin(ref, options));
  withHostOptions(program.command('unpin'))
    .description('let cycles promote upstream changes to a tag again')
    .argument('<ref>', 'tracked tag, e.g. base/node:20')
    .action(async (ref: string, options: GateCommandOptions) => (await actions()).unpin(ref, options));
}
