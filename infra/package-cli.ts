// The `basewatch` command as installed, a step of `npm run build`: dist/cli/cli.cjs is one esbuild
// bundle of src/cli/main.ts with the libraries every command's start needs inside (commander, zod,
// yaml, …), and dist/cli/basewatch.cjs (src/cli/launch.ts) runs it with V8's code cache.
// Loading hundreds of small modules from node_modules was most of a command's start-up (bench/README.md,
// "Start-up"); the Azure SDKs, Azurite and durable-functions stay outside, loaded from node_modules
// only by the commands that use them.
import { chmodSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

/** Where the command is written, relative to the repository root; package.json's `bin`. */
export const CLI_DIR = 'dist/cli';

/** Dependencies bundled: what `--help`, `validate` (semver: tag policies) and `copy` load. The rest stay in node_modules. */
const BUNDLED = new Set(['commander', 'zod', 'yaml', 'semver', 'p-limit', 'yocto-queue']);

/**
 * zod's index re-exports all of its ~40 locales as `z.locales`, a quarter of the bundle's bytes read and
 * loaded at every start; basewatch uses none of them (zod itself sets English, which stays). Only the
 * bundle is changed: the sources and the Function App get zod whole. test/cli/package-cli.test.ts fails
 * when a new zod moves the file this names.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}zod${sep}`)
        ? { path: resolve(dirname(args.importer), '../locales/en.js'), namespace: 'zod-english-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** The line of commander's lib/command.js that loads node:child_process as it starts. */
export const COMMANDER_EAGER_CHILD_PROCESS = "const childProcess = require('node:child_process');";

/**
 * commander loads node:child_process (and with it net, dgram, …) at every start, for executable
 * subcommands, of which basewatch has none: in the bundle it is loaded when first used instead. The
 * build fails when a new commander no longer has the line.
 */
const commanderLazyChildProcess: Plugin = {
  name: 'commander-lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(COMMANDER_EAGER_CHILD_PROCESS)) {
        throw new Error(`${args.path} no longer has the line ${COMMANDER_EAGER_CHILD_PROCESS}`);
      }
      const lazy =
        "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: source.replace(COMMANDER_EAGER_CHILD_PROCESS, lazy), loader: 'js' };
    });
  },
};

export interface PackagedCli {
  readonly dir: string;
  /** Every file the bundle was built from. */
  readonly inputs: readonly string[];
}

export async function packageCli(root: string, out: string = CLI_DIR): Promise<PackagedCli> {
  const dir = resolve(root, out);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const external = Object.keys(manifest.dependencies).filter((name) => !BUNDLED.has(name));
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    absWorkingDir: root,
    logLevel: 'warning',
    legalComments: 'eof',
    // Fewer bytes to read and hand to V8 at every start; names kept for errors and stack traces.
    minify: true,
    keepNames: true,
  } as const;
  const result = await build({
    ...common,
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: join(dir, 'cli.cjs'),
    external: [...external, ...external.map((name) => `${name}/*`)],
    // The sources read their own location from import.meta.url, which CommonJS spells differently.
    define: { 'import.meta.url': '__basewatchModuleUrl' },
    banner: { js: "const __basewatchModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    metafile: true,
    plugins: [zodEnglishOnly, commanderLazyChildProcess],
  });
  await build({
    ...common,
    entryPoints: [join(root, 'src/cli/launch.ts')],
    outfile: join(dir, 'basewatch.cjs'),
    banner: { js: '#!/usr/bin/env node' },
  });
  chmodSync(join(dir, 'basewatch.cjs'), 0o755);
  return { dir, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const packaged = await packageCli(process.cwd());
  console.log(`basewatch command in ${packaged.dir} (${packaged.inputs.length} files bundled)`);
}
