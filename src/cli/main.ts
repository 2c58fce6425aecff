#!/usr/bin/env node
import { Command } from 'commander';
import { registerCommands } from './commands/index.js';

const program = new Command('basewatch')
  .description('Keep private copies of public base images and rebuild what is built on them')
  .showHelpAfterError()
  // Options after a subcommand belong to it (`runs show ID --config F`).
  .enablePositionalOptions()
  .exitOverride();

registerCommands(program);

// No top-level await: the installed command is a CommonJS bundle (dist/cli), which cannot have one.
program.parseAsync(process.argv).catch((error: unknown) => {
  const code = (error as { exitCode?: number }).exitCode;
  // commander throws on --help/--version (exit 0) and usage errors (exit 2, per the command's contract).
  if (typeof code === 'number' && (error as { code?: string }).code?.startsWith('commander.')) {
    process.exit(code === 0 ? 0 : 2);
  }
  process.stderr.write(`basewatch: ${(error as Error).message}\n`);
  // An error may carry its own exit code (a bad config is 2); anything else is a failure (1).
  process.exit(typeof code === 'number' ? code : 1);
});
