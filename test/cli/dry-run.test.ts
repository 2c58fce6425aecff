// `basewatch sync --dry-run` reads upstream through the same code as the checkUpstreamDigests activity
// (the production wiring, a real registry, state in Azurite) and writes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTableStateStore } from '../../src/azure/state-store.js';
import { dryRun } from '../../src/cli/dry-run.js';
import { parseConfig } from '../../src/config/load.js';
import { jsonLogger } from '../../src/core/logger.js';
import { buildPorts } from '../../src/wiring.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let upstream: TestRegistry;
let azurite: AzuriteTables;
let hubs = 0;

beforeAll(async () => {
  [upstream, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
});
afterAll(async () => {
  await upstream?.stop();
  await azurite?.stop();
});

async function depsFor(repository: string) {
  const config = parseConfig(
    `version: 1
registry: { url: "oci-layout:/tmp/basewatch-dry-run-never-written" }
images:
  - { source: ${upstream.host}/${repository}, tags: ["moved", "same", "absent"], target: base/${repository} }
apps:
  - { name: web, image: apps/web:1, team: shop, baseImages: [base/${repository}:moved], rebuild: { rebase: true } }
`,
    'basewatch.yaml',
  );
  const state = await openTableStateStore({ connectionString: azurite.connectionString }, `dry${++hubs}`);
  return buildPorts({ config, state, logger: jsonLogger('error'), env: {} });
}

it('names what would be imported, what is unchanged and what failed, and records nothing', async () => {
  const moved = makeImage({ seed: 'dry-moved' });
  const same = makeImage({ seed: 'dry-same' });
  await pushImage(upstream.url, 'library/dry', 'moved', moved);
  await pushImage(upstream.url, 'library/dry', 'same', same);
  const deps = await depsFor('library/dry');
  const old = `sha256:${'1'.repeat(64)}`;
  await deps.state.updateImage('base/library/dry:moved', () => ({
    source: `${upstream.host}/library/dry:moved`,
    target: 'base/library/dry:moved',
    importedDigest: old,
  }));
  await deps.state.updateImage('base/library/dry:same', () => ({
    source: `${upstream.host}/library/dry:same`,
    target: 'base/library/dry:same',
    importedDigest: same.digest,
  }));

  const result = await dryRun(deps);

  expect(result.wouldImport).toEqual([
    expect.objectContaining({
      source: `${upstream.host}/library/dry:moved`,
      target: 'base/library/dry:moved',
      digest: moved.digest,
      previousDigest: old,
    }),
  ]);
  expect(result.wouldImport[0]!.plan.waves.flatMap((wave) => wave.apps.map((app) => app.name))).toEqual([
    'web',
  ]);
  expect(result.unchanged).toEqual(['base/library/dry:same']);
  expect(result.failed).toEqual([
    {
      target: 'base/library/dry:absent',
      error: expect.stringContaining(`${upstream.host}/library/dry:absent: MANIFEST_UNKNOWN`),
    },
  ]);
  // Nothing recorded: the check times and digests the activity would write are absent.
  expect(await deps.state.getImage('base/library/dry:absent')).toBeUndefined();
  expect((await deps.state.getImage('base/library/dry:moved'))?.lastUpstreamDigest).toBeUndefined();
});
