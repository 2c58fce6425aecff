// The installed `basewatch` command (bundled to dist/cli/basewatch.cjs): runs the CLI bundle beside it
// with V8's code cache, so a command run before starts without compiling again what it compiled then.
// Node 22 has module.enableCompileCache for this; Node 20 does not, so the cache is kept here, one
// file per command, in a directory only this user can write (a code cache is trusted like code).
// V8 checks a cache against the source's length only, so each file starts with the sha256 of the
// bundle it was made from: an upgrade to a bundle of the same length must not run the old bytecode.
import { createHash } from 'node:crypto';
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

/** The cache made from this very bundle (its file starts with `bundleId`), if there is one. */
function readCache(file: string | undefined, bundleId: Buffer): Buffer | undefined {
  if (file === undefined || process.env.BASEWATCH_NO_CODE_CACHE) return undefined;
  try {
    // Only a cache in a directory of this user's that nobody else can write into is used.
    const dir = statSync(join(file, '..'));
    if (dir.uid !== process.getuid?.() || (dir.mode & 0o022) !== 0) return undefined;
    const data = readFileSync(file);
    const madeFrom = data.subarray(0, bundleId.length);
    return madeFrom.equals(bundleId) ? data.subarray(bundleId.length) : undefined;
  } catch {
    return undefined;
  }
}

const bundle = readFileSync(BUNDLE);
const bundleId = createHash('sha256').update(bundle).digest();
const file = cacheFile();
const cachedData = readCache(file, bundleId);
// The bundle keeps main.ts's #! line, which only a file Node runs itself may have.
const source = bundle.toString('utf8').replace(/^#!.*/, '');
const script = new vm.Script(Module.wrap(source), {
  filename: BUNDLE,
  ...(cachedData && { cachedData }),
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// V8 rejects a cache made by another Node or other flags; it is then made afresh.
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
      writeFileSync(file, Buffer.concat([bundleId, script.createCachedData()]), { mode: 0o600 });
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
