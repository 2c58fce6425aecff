// `basewatch demo`: an offline, self-contained walk-through (needs Debian's docker-registry).
import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo.js';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'offline walk-through: own registries, a base and two apps, a cycle, a moved base, rebase waves, notifications',
    )
    .action(() => runDemo(process.stdout));
}
