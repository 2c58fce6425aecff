// `basewatch demo`: an offline, self-contained walk-through (needs Debian's docker-registry).
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'offline walk-through: own registries, a base and two apps, a cycle, a moved base, rebase waves, notifications',
    )
    .action(async () => (await import('../../demo/run-demo.js')).runDemo(process.stdout));
}
