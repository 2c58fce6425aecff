// The installed `basewatch` command (bundled to dist/cli/basewatch.cjs): runs the CLI bundle beside it
// with V8's code cache, so a command run before starts without compiling again what it compiled then.
// Node 22 has module.enableCompileCache for this; Node 20 does not, so the cache is kept here, one
// file per command, in a directory only this user can write (a code cache is trusted like code).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';

const BUNDLE = join(__dirname, 'cli.cjs');

function cacheFile(): string | undefined {
  // One file per command, each keeping what its own run compiled; `--help`, `-V` and the like share one.
  const word = process.argv[2] ?? '';
  const command = /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'options';
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'basewatch', 'v8', `${command}.bin`);
}

function readCache(file: string | undefined): Buffer | undefined {
  if (file === undefined || process.env.BASEWATCH_NO_CODE_CACHE) return undefined;
  try {
    // Only a cache in a directory of this user's that nobody else can write into is used.
    const dir = statSync(join(file, '..'));
    if (dir.uid !== process.getuid?.() || (dir.mode & 0o022) !== 0) return undefined;
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

const file = cacheFile();
const cachedData = readCache(file);
// The bundle keeps main.ts's #! line, which only a file Node runs itself may have.
const source = readFileSync(BUNDLE, 'utf8').replace(/^#!.*/, '');
const script = new vm.Script(Module.wrap(source), {
  filename: BUNDLE,
  ...(cachedData && { cachedData }),
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// V8 rejects a cache made by another Node, other flags or other source; it is then made afresh.
if (
  file !== undefined &&
  !process.env.BASEWATCH_NO_CODE_CACHE &&
  (!cachedData || script.cachedDataRejected)
) {
  process.once('exit', (code) => {
    // A failed run (a typo for a command, a bad config) leaves no cache behind.
    if (code !== 0) return;
    try {
      mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
      writeFileSync(file, script.createCachedData(), { mode: 0o600 });
    } catch {
      // No cache directory (a read-only home): the next run compiles again, nothing else changes.
    }
  });
}
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void).call(
  module.exports,
  module.exports,
  Module.createRequire(BUNDLE),
  module,
  BUNDLE,
  __dirname,
);
