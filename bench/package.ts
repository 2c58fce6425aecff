// The Function App package before and after the esbuild bundle (`npx tsx bench/package.ts`, after
// `npm run build`): its size zipped, and the time a fresh Node process takes to import the functions
// entry and register every function, with the worker's core module stubbed as in test/functions/.
// Before: the tsc output in dist/src/functions/*.js resolving the production node_modules (what the
// remote build deployed). After: dist/app/functions.js copied alone outside the repository. The two are
// timed in alternation on a shared machine, so compare their ratio. Writes bench/results/package.json.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BUNDLE, PACKAGE_DIR, packageApp } from '../infra/package-app.js';
import { machine } from './machine.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const stub = join(root, 'test/functions/worker-core-stub.cjs');
const config = join(root, 'basewatch.sample.yaml');
const ROUNDS = 7;
const MB = 1024 * 1024;

interface ImportTiming {
  /** From the start of the import to the last registration, in the child process. */
  readonly wallMs: number;
  /** CPU the child spent on it (user + system); less sensitive to other processes than wall time. */
  readonly cpuMs: number;
  readonly registered: number;
}

/** Imports `entries` in a fresh Node process with the worker stubbed; timing measured inside the child. */
async function timeImport(entries: readonly string[], cwd: string): Promise<ImportTiming> {
  const imports = entries
    .map((entry) => `await import(${JSON.stringify(pathToFileURL(entry).href)});`)
    .join('');
  const script =
    'const t = performance.now(); const c = process.cpuUsage();' +
    imports +
    'const u = process.cpuUsage(c);' +
    'console.log(JSON.stringify({ wallMs: performance.now() - t, cpuMs: (u.user + u.system) / 1000,' +
    ' registered: globalThis.registeredFunctions.length }));';
  const { stdout } = await run(process.execPath, ['--require', stub, '--input-type=module', '-e', script], {
    cwd,
    env: { ...process.env, BASEWATCH_CONFIG: config },
  });
  return JSON.parse(stdout) as ImportTiming;
}

/** Size of `paths` (relative to `dir`) in a zip made with `zip -9 -r`, as azd and Core Tools deploy. */
async function zippedMB(dir: string, paths: readonly string[]): Promise<number> {
  const zip = join(mkdtempSync(join(tmpdir(), 'basewatch-zip-')), 'package.zip');
  // A file list on stdin: the production dependencies are thousands of paths.
  await new Promise<void>((done, fail) => {
    const child = execFile('zip', ['-q', '-9', '-r', zip, '-@'], { cwd: dir }, (error) =>
      error ? fail(error) : done(),
    );
    child.stdin?.end(paths.join('\n'));
  });
  const size = statSync(zip).size / MB;
  rmSync(zip, { force: true });
  return Math.round(size * 10) / 10;
}

/** node_modules folders the lock file marks as production dependencies: what `npm install --omit=dev` keeps. */
function productionModules(): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.devOptional)
    .map(([path]) => path)
    .filter((path) => {
      try {
        return statSync(join(root, path)).isDirectory();
      } catch {
        return false; // an optional dependency for another platform
      }
    });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 10) / 10;
}

export async function benchPackage(): Promise<Record<string, unknown>> {
  const before = readdirSync(join(root, 'dist/src/functions'))
    .filter((file) => file.endsWith('.js'))
    .map((file) => join(root, 'dist/src/functions', file));
  if (before.length === 0) throw new Error('run `npm run build` first: dist/src/functions is empty');

  const packaged = await packageApp(root, PACKAGE_DIR);
  // Alone, outside the repository: nothing can be resolved from a node_modules folder.
  const alone = mkdtempSync(join(tmpdir(), 'basewatch-app-'));
  cpSync(packaged.dir, alone, { recursive: true });
  const after = [join(alone, BUNDLE)];

  const modules = productionModules();
  const beforeFiles = ['host.json', 'package.json', 'dist/src', ...modules];
  const sizes = {
    beforeMB: await zippedMB(root, beforeFiles),
    beforeProductionModules: modules.length,
    afterMB: await zippedMB(packaged.dir, readdirSync(packaged.dir)),
  };

  // Warm the file cache for both, untimed, then alternate.
  await timeImport(before, root);
  await timeImport(after, alone);
  const rounds: { before: ImportTiming; after: ImportTiming }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    rounds.push({ before: await timeImport(before, root), after: await timeImport(after, alone) });
  }
  rmSync(alone, { recursive: true, force: true });

  const pick = (side: 'before' | 'after', key: 'wallMs' | 'cpuMs') => rounds.map((round) => round[side][key]);
  const result = {
    benchmark: 'package',
    command: 'npm run build && npx tsx bench/package.ts',
    rounds: ROUNDS,
    size: sizes,
    importAndRegister: {
      functionsRegistered: { before: rounds[0]?.before.registered, after: rounds[0]?.after.registered },
      medianWallMs: { before: median(pick('before', 'wallMs')), after: median(pick('after', 'wallMs')) },
      medianCpuMs: { before: median(pick('before', 'cpuMs')), after: median(pick('after', 'cpuMs')) },
      // Per round, so that load shared by both halves of a round cancels out.
      medianWallRatio: median(rounds.map((round) => round.after.wallMs / round.before.wallMs)),
      medianCpuRatio: median(rounds.map((round) => round.after.cpuMs / round.before.cpuMs)),
    },
    perRound: rounds.map((round) => ({
      beforeWallMs: Math.round(round.before.wallMs),
      afterWallMs: Math.round(round.after.wallMs),
      beforeCpuMs: Math.round(round.before.cpuMs),
      afterCpuMs: Math.round(round.after.cpuMs),
    })),
    machine: machine(),
  };
  writeFileSync(join(root, 'bench/results/package.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await benchPackage(), null, 2)}\n`);
}
