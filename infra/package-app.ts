// The Function App package, the last step of `npm run build`: dist/app holds host.json, basewatch.yaml
// (when there is one), and a package.json whose `main` is one esbuild bundle of src/functions/*.ts with
// every dependency inside. azd deploys that folder as it is (azure.yaml: `dist: dist/app`,
// `remoteBuild: false`), so the app ships no node_modules: no Azurite, no dev tools, no native
// binaries built for another OS. docs/deploy.md explains the choice; test/infra/package.test.ts checks it.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { buildConsole, CONSOLE_DIR } from './build-console.js';

/** Where the package is written, relative to the repository root; azure.yaml's `dist`. */
export const PACKAGE_DIR = 'dist/app';
/** The bundle, relative to the package; the package's `main`. */
export const BUNDLE = 'functions.js';
/** The module the Functions Node.js worker provides by intercepting `require`; it is never installed. */
export const WORKER_MODULE = '@azure/functions-core';
/** The config the app reads by default (app setting BASEWATCH_CONFIG), copied when it exists. */
const CONFIG_FILE = 'basewatch.yaml';

export interface PackagedApp {
  readonly dir: string;
  /** Every file the bundle was built from, for checks such as "no Azurite inside". */
  readonly inputs: readonly string[];
}

/** Builds the package from the repository at `root` into `out` (relative to `root`), replacing what was there. */
export async function packageApp(root: string, out: string = PACKAGE_DIR): Promise<PackagedApp> {
  const dir = resolve(root, out);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const registrations = readdirSync(join(root, 'src/functions'))
    .filter((file) => file.endsWith('.ts'))
    .sort();
  const result = await build({
    stdin: {
      contents: registrations.map((file) => `import './src/functions/${file}';`).join('\n'),
      resolveDir: root,
      sourcefile: 'functions-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The Azure host is imported at the first invocation: splitting keeps it out of what indexing loads.
    splitting: true,
    outdir: dir,
    entryNames: BUNDLE.replace(/\.js$/, ''),
    chunkNames: 'chunks/[name]-[hash]',
    external: [WORKER_MODULE],
    // CommonJS code that reads its own folder (sql.js's Node path) gets the chunk's; an ES module has no __dirname.
    define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
    // CommonJS dependencies require() the worker's module; in an ES module bundle that needs a require.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  // The console page beside the bundle, where src/functions/operatorConsole.ts reads it.
  await buildConsole(root, join(dir, 'console'));
  // sql.js (rpm databases) reads its WASM binary from a file: the package has no node_modules to find it in.
  copyFileSync(join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), join(dir, 'sql-wasm.wasm'));
  copyFileSync(join(root, 'host.json'), join(dir, 'host.json'));
  if (existsSync(join(root, CONFIG_FILE))) copyFileSync(join(root, CONFIG_FILE), join(dir, CONFIG_FILE));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(packageManifest(), null, 2)}\n`);
  return { dir, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

/** The package's package.json: no dependencies (they are in the bundle), so nothing is installed. */
export function packageManifest(): Record<string, unknown> {
  return {
    name: 'basewatch-functions',
    private: true,
    type: 'module',
    main: BUNDLE,
    engines: { node: '>=20.19' },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`operator console in ${await buildConsole(process.cwd(), CONSOLE_DIR)}`);
  const packaged = await packageApp(process.cwd());
  console.log(`Function App package in ${packaged.dir} (${packaged.inputs.length} files bundled)`);
}
