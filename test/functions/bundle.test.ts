// The Function App package `npm run build` writes (infra/package-app.ts), loaded as the Functions
// Node.js worker loads it: a fresh Node process, `main` of the package's package.json imported, the
// worker's own module (@azure/functions-core) stubbed. Every function must register from the bundle
// alone, with no node_modules beside it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, type PackagedApp, packageApp } from '../../infra/package-app.js';
import { parseConfig } from '../../src/config/load.js';
import { ALL_FUNCTION_NAMES } from './function-names.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
const stub = join(import.meta.dirname, 'worker-core-stub.cjs');
const sampleConfig = join(root, 'basewatch.sample.yaml');
let packaged: PackagedApp;

beforeAll(async () => {
  packaged = await packageApp(root, mkdtempSync(join(tmpdir(), 'basewatch-package-')));
}, 120_000);
afterAll(() => rmSync(packaged.dir, { recursive: true, force: true }));

describe('the Function App package', () => {
  it('registers every function from the bundle, the timer on defaults.schedule, with the worker stubbed', async () => {
    const manifest = JSON.parse(readFileSync(join(packaged.dir, 'package.json'), 'utf8')) as { main: string };
    const entry = pathToFileURL(join(packaged.dir, manifest.main)).href;
    const { stdout } = await run(
      process.execPath,
      [
        '--require',
        stub,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(entry)}); console.log(JSON.stringify(globalThis.registeredMetadata));`,
      ],
      // Outside the repository: nothing can be found in a node_modules folder.
      { cwd: tmpdir(), env: { ...process.env, BASEWATCH_CONFIG: sampleConfig } },
    );
    const registered = JSON.parse(stdout) as {
      name: string;
      bindings: Record<string, Record<string, unknown>>;
    }[];
    const poll = registered.find((metadata) => metadata.name === 'pollUpstream');
    const timer = Object.values(poll?.bindings ?? {}).find((binding) => binding.type === 'timerTrigger');
    // The timer fires on defaults.schedule; images' own schedules pick among its ticks (config refuses others).
    expect(timer?.schedule).toBe(
      parseConfig(readFileSync(sampleConfig, 'utf8'), sampleConfig).defaults.schedule,
    );
    expect(registered.map((metadata) => metadata.name).sort()).toEqual(ALL_FUNCTION_NAMES);
  }, 60_000);

  it('holds host.json, a package.json whose main is the bundle, and no dependencies to install', () => {
    const manifest = JSON.parse(readFileSync(join(packaged.dir, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({ type: 'module', main: BUNDLE });
    expect(manifest).not.toHaveProperty('dependencies');
    expect(readFileSync(join(packaged.dir, 'host.json'), 'utf8')).toBe(
      readFileSync(join(root, 'host.json'), 'utf8'),
    );
    expect(readdirSync(packaged.dir)).not.toContain('node_modules');
  });

  it('leaves out the local host, the command line and Azurite', () => {
    const strays = packaged.inputs.filter((input) =>
      /^(src\/(local|cli|demo)\/|node_modules\/(azurite|commander|tsx|vitest|esbuild)\/)/.test(input),
    );
    expect(strays).toEqual([]);
  });

  it('is well under 20 MB before compression', () => {
    const bytes = readdirSync(packaged.dir).reduce(
      (sum, file) => sum + statSync(join(packaged.dir, file)).size,
      0,
    );
    expect(bytes).toBeLessThan(20 * 1024 * 1024);
  });
});

describe('the repository root', () => {
  it('package.json main names the compiled registration files, for `func start` in the repository', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    expect(manifest.main).toBe('dist/src/functions/*.js');
    expect(
      readdirSync(join(root, 'src/functions')).filter((file) => file.endsWith('.ts')).length,
    ).toBeGreaterThan(0);
  });
});
