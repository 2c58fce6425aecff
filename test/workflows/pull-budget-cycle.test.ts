// A whole cycle on a registry that counts pulls: the checks of 40 tags and the imports of the 2 that changed
// share the registry's remaining pulls, and the imports get theirs. Upstream is a real registry behind a
// front that counts every manifest request as a pull (test/support/pull-limited-front.ts); the counts and
// the refusals are the front's, the digests the mirror's.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { Orchestration } from '../../src/workflows/names.js';
import type { SyncCycleOutcome } from '../../src/workflows/types.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { makeImage, makeMultiPlatformImage, pushIndex, pushManyTags } from '../support/images.js';
import { type PullLimitedFront, startPullLimitedFront } from '../support/pull-limited-front.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startHarness, TEST_TIMING } from './harness.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let azurite: AzuriteTables;
const fronts: PullLimitedFront[] = [];
const engines: LocalDurableEngine[] = [];
const RESERVE = 2;
const TAGS = 40;
/** 4 platforms: an import asks for 6 manifests (a HEAD, the index, 4 platforms). */
const changed = makeMultiPlatformImage(
  [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
    { os: 'linux', architecture: 's390x' },
  ],
  { seed: 'changed upstream' },
);

beforeAll(async () => {
  [upstream, mirror, azurite] = await Promise.all([startRegistry(), startRegistry(), startAzuriteTables()]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop(), azurite?.stop()]);
});
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  for (const front of fronts.splice(0)) await front.stop();
});

/**
 * 40 tags synced once with pulls to spare, then 2 of them changed upstream and the registry left with 40
 * pulls: the 40 checks alone would spend them all, leaving the 12 the 2 imports ask for to nobody.
 */
async function world(repository: string) {
  const tags = await pushManyTags(
    upstream.url,
    `library/${repository}`,
    TAGS,
    makeImage({ seed: repository }),
    {
      prefix: 't',
    },
  );
  const front = await startPullLimitedFront(upstream.url, { limit: 1000, counts: 'HEAD and GET' });
  fronts.push(front);
  const yaml = `
version: 1
registry: { url: "http://${mirror.host}" }
images:
  - source: ${front.host}/library/${repository}
    tags: [${tags.map((tag) => `"${tag}"`).join(', ')}]
    target: base/${repository}
    referrers: none
    rateLimit: { minRemaining: ${RESERVE} }
`;
  const harness = await startHarness({ yaml, azurite });
  engines.push(harness.engine);
  const cycle = async (): Promise<SyncCycleOutcome> => {
    const id = await harness.engine.start(Orchestration.syncCycle, {
      input: { trigger: 'manual', timing: TEST_TIMING },
    });
    const status = await harness.engine.waitForCompletion(id, 60_000);
    expect(status.runtimeStatus).toBe('Completed');
    return status.output as SyncCycleOutcome;
  };
  const first = await cycle();
  expect(first).toMatchObject({ checked: TAGS, changed: TAGS, failed: [] });

  const moved = tags.slice(0, 2);
  for (const tag of moved) await pushIndex(upstream.url, `library/${repository}`, tag, changed);
  front.setRemaining(40);
  return { front, cycle, moved, repository };
}

async function mirrorDigest(repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${mirror.url}/v2/base/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: changed.mediaType },
  });
  return response.headers.get('docker-content-digest');
}

describe('a cycle on a registry that counts pulls', () => {
  it('imports every change: the checks stop at the pulls the imports need and the cycle says why', async () => {
    const { front, cycle, moved, repository } = await world('node');
    const outcome = await cycle();

    expect(outcome.changed).toBe(2);
    expect(outcome.syncs.map((sync) => [sync.target, sync.status])).toEqual(
      expect.arrayContaining(moved.map((tag) => [`base/${repository}:${tag}`, 'synced'])),
    );
    for (const tag of moved) expect(await mirrorDigest(repository, tag)).toBe(changed.digest);
    expect(outcome.deferred.length).toBeGreaterThan(0);
    expect(outcome.checked).toBe(TAGS);
    expect(outcome.deferred.some((d) => /held for 2 pending import\(s\)/.test(d.reason))).toBe(true);
    expect(front.refused()).toEqual([]);
    expect(front.lowest()).toBeGreaterThanOrEqual(RESERVE);
  });
});
