// The `basewatch` command as `npm run build` installs it (infra/package-cli.ts): one bundle run by a
// launcher that keeps V8's code cache per command. Built into a scratch directory, run as a process.
import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageCli } from '../../infra/package-cli.js';
import { runBasewatch } from '../support/basewatch-cli.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'basewatch.sample.yaml');
let scratch: string;
let inputs: readonly string[];
let launcher: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'basewatch-cli-package-'));
  // The bundle leaves the Azure SDKs and Azurite to node_modules beside it, as in the repository.
  await symlink(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));
  const packaged = await packageCli(ROOT, join(scratch, 'dist/cli'));
  inputs = packaged.inputs;
  launcher = join(packaged.dir, 'basewatch.cjs');
}, 120_000);
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const basewatch = (args: string[], cacheHome: string) =>
  runBasewatch(args, { entry: launcher, env: { XDG_CACHE_HOME: cacheHome } });

async function cacheHome(name: string): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir);
  return dir;
}

describe('the packaged basewatch command', () => {
  it('answers --help and validate as the sources do, and a bad config with exit 2', async () => {
    const home = await cacheHome('answers');
    const help = await basewatch(['--help'], home);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: basewatch \[options\] \[command\]/);
    for (const command of ['validate', 'copy', 'start', 'sync'])
      expect(help.stdout).toContain(`\n  ${command} `);
    const valid = await basewatch(['validate', '--config', SAMPLE], home);
    expect(valid).toMatchObject({
      code: 0,
      stdout: `${SAMPLE} is valid: 2 tracked images, 3 apps, 3 base edges\n`,
    });
    const missing = await basewatch(['validate', '--config', join(scratch, 'none.yaml')], home);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(scratch, 'none.yaml')}:1:1: cannot read config: no such file`);
  });

  it('keeps a code cache per command that a second run uses as it is, and none for a failed run', async () => {
    const home = await cacheHome('cache');
    const file = join(home, 'basewatch/v8/validate.bin');
    await basewatch(['validate', '--config', SAMPLE], home);
    const first = await stat(file);
    expect(first.size).toBeGreaterThan(10_000);
    expect(first.mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'basewatch/v8'))).mode & 0o777).toBe(0o700);
    const again = await basewatch(['validate', '--config', SAMPLE], home);
    expect(again.code).toBe(0);
    // A cache V8 accepted is not written again.
    expect((await stat(file)).mtimeMs).toBe(first.mtimeMs);
    await basewatch(['no-such-command'], home);
    await expect(stat(join(home, 'basewatch/v8/no-such-command.bin'))).rejects.toThrow(/ENOENT/);
  });

  it('runs a changed bundle of the same length as it now is, not from the cache of the one before', async () => {
    // V8 checks a code cache against the source's length only: an upgrade that happens to keep the
    // bundle's length would run the bytecode of the old one.
    const dir = join(scratch, 'same-length-build');
    await packageCli(ROOT, dir);
    const home = await cacheHome('same-length');
    const entry = join(dir, 'basewatch.cjs');
    const run = (args: string[]) => runBasewatch(args, { entry, env: { XDG_CACHE_HOME: home } });
    expect((await run(['--help'])).stdout).toContain('display help for command');
    const bundle = join(dir, 'cli.cjs');
    const before = await readFile(bundle, 'utf8');
    const after = before.replaceAll('display help for command', 'DISPLAY HELP FOR COMMAND');
    expect(after.length).toBe(before.length);
    await writeFile(bundle, after);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('DISPLAY HELP FOR COMMAND');
    expect(help.stdout).not.toContain('display help for command');
  });

  it('ignores a cache in a directory others may write to', async () => {
    const home = await cacheHome('shared');
    const file = join(home, 'basewatch/v8/validate.bin');
    await basewatch(['validate', '--config', SAMPLE], home);
    const first = await stat(file);
    await chmod(join(home, 'basewatch/v8'), 0o777);
    const run2 = await basewatch(['validate', '--config', SAMPLE], home);
    expect(run2.code).toBe(0);
    // Not read, so made afresh.
    expect((await stat(file)).mtimeMs).toBeGreaterThan(first.mtimeMs);
  });

  it('bundles no Azure SDK, Azurite or durable-functions: they load from node_modules when used', () => {
    expect(
      inputs.filter((input) => /node_modules\/(@azure\/|azurite|durable-functions)/.test(input)),
    ).toEqual([]);
    // What validate and copy load is inside, so their start reads no file of node_modules.
    for (const library of ['commander', 'zod', 'yaml', 'semver'])
      expect(inputs.some((input) => input.includes(`node_modules/${library}/`))).toBe(true);
  });

  it('starts --help and validate without loading node:child_process (commander loads it only to spawn)', async () => {
    const home = await cacheHome('builtins');
    // Node's own list of the built-in modules a process loaded, printed as it exits.
    const probe = join(scratch, 'loaded-builtins.cjs');
    await writeFile(
      probe,
      "process.on('exit', () => process.stderr.write('loaded: ' + process.moduleLoadList.join(',') + '\\n'));\n",
    );
    const probed = (args: string[]) =>
      runBasewatch(args, {
        entry: launcher,
        env: { XDG_CACHE_HOME: home, NODE_OPTIONS: `--require ${probe}` },
      });
    for (const args of [['--help'], ['validate', '--config', SAMPLE]]) {
      const run = await probed(args);
      expect(run.code).toBe(0);
      const loaded = /loaded: (.*)/.exec(run.stderr)?.[1]?.split(',') ?? [];
      expect(loaded).toContain('NativeModule module');
      expect(loaded).not.toContain('NativeModule child_process');
    }
  });

  it("carries zod's English messages and none of its other locales", () => {
    const locales = inputs.filter((input) => input.startsWith('node_modules/zod/v4/locales/'));
    expect(locales).toEqual(['node_modules/zod/v4/locales/en.js']);
  });
});

describe('the packaged basewatch copy', () => {
  let source: TestRegistry;
  let target: TestRegistry;
  beforeAll(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry()]);
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  it('copies an image between two registries, read back by skopeo at the same digest', async () => {
    const image = makeImage({ seed: 'packaged-copy', layers: 3 });
    await pushImage(source.url, 'bench/packaged', '1', image);
    const copied = await basewatch(
      ['copy', `${source.host}/bench/packaged:1`, `${target.host}/mirror/packaged:1`],
      await cacheHome('copy'),
    );
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain(`digest ${image.digest}`);
    expect(await skopeoInspectDigest(`docker://${target.host}/mirror/packaged:1`)).toBe(image.digest);
  });

  it('runs a sync cycle on the local host (Azurite and the durable engine from node_modules)', async () => {
    const image = makeImage({ seed: 'packaged-sync', layers: 2 });
    await pushImage(source.url, 'library/packaged', '7', image);
    const config = join(scratch, 'sync.yaml');
    await writeFile(
      config,
      `version: 1
registry: { url: "${target.host}" }
images:
  - { source: "${source.host}/library/packaged", tags: ["7"], target: base/packaged }
`,
    );
    const synced = await basewatch(
      ['sync', '--config', config, '--data', join(scratch, 'sync-data')],
      await cacheHome('sync'),
    );
    expect(synced.code, synced.stderr).toBe(0);
    expect(await skopeoInspectDigest(`docker://${target.host}/base/packaged:7`)).toBe(image.digest);
  });
});
