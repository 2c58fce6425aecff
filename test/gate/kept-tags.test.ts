// The tag that keeps a replaced digest, on a real registry: written once, found again on a retry, and two
// moves of one tag within the same second each keep their own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keepPrevious } from '../../src/workflows/activities/gate-steps.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { type Harness, startHarness } from '../workflows/harness.js';

let mirror: TestRegistry;
let azurite: AzuriteTables;
const harnesses: Harness[] = [];

beforeAll(async () => {
  [mirror, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
});
afterAll(async () => {
  await Promise.all([mirror?.stop(), azurite?.stop()]);
});
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.engine.stop();
});

async function deps() {
  const h = await startHarness({
    azurite,
    yaml: `version: 1\nregistry: { url: "http://${mirror.host}" }\n`,
  });
  harnesses.push(h);
  return h.deps;
}

async function tags(repository: string): Promise<string[]> {
  const answer = await fetch(`${mirror.url}/v2/${repository}/tags/list`);
  return (((await answer.json()) as { tags: string[] }).tags ?? []).sort();
}

describe('keepPrevious', () => {
  it('keeps the current digest once, answers the same on a retry, and keeps nothing for a first copy', async () => {
    const d = await deps();
    const at = '2026-11-30T01:02:03.000Z';
    expect(
      await keepPrevious(d, { target: 'base/once:1', at, incoming: `sha256:${'1'.repeat(64)}` }),
    ).toEqual({});
    const x = makeImage({ seed: 'kept-x' });
    await pushImage(mirror.url, 'base/once', '1', x);
    const first = await keepPrevious(d, { target: 'base/once:1', at, incoming: `sha256:${'1'.repeat(64)}` });
    expect(first).toEqual({ previousDigest: x.digest, keptAs: '1-20261130010203' });
    expect(
      await keepPrevious(d, { target: 'base/once:1', at, incoming: `sha256:${'1'.repeat(64)}` }),
    ).toEqual(first);
    expect(await tags('base/once')).toEqual(['1', '1-20261130010203']);
    expect(await keepPrevious(d, { target: 'base/once:1', at, incoming: x.digest })).toEqual({});
  });

  it('gives a second move within the same second a kept tag of its own', async () => {
    const d = await deps();
    const at = '2026-11-30T04:05:06.000Z';
    const [x, y] = [makeImage({ seed: 'same-x' }), makeImage({ seed: 'same-y' })];
    await pushImage(mirror.url, 'base/same', '1', x);
    expect(await keepPrevious(d, { target: 'base/same:1', at, incoming: y.digest })).toEqual({
      previousDigest: x.digest,
      keptAs: '1-20261130040506',
    });
    await pushImage(mirror.url, 'base/same', '1', y);
    expect(await keepPrevious(d, { target: 'base/same:1', at, incoming: x.digest })).toEqual({
      previousDigest: y.digest,
      keptAs: '1-20261130040506-2',
    });
    expect(await skopeoInspectDigest(`docker://${mirror.host}/base/same:1-20261130040506`)).toBe(x.digest);
    expect(await skopeoInspectDigest(`docker://${mirror.host}/base/same:1-20261130040506-2`)).toBe(y.digest);
  });
});
