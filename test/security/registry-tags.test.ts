// Upstream tag lists and digests are the registry's word: a tag that is not a valid tag is reported by
// name and skipped, a forged digest fails its own tag only, and the rest of the batch proceeds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { StateStore, TrackedImageState } from '../../src/core/state.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { HttpClient } from '../../src/registry/http.js';
import { upstreamStores } from '../../src/registry/upstream-stores.js';
import { checkUpstreamDigests } from '../../src/workflows/activities/check-upstream-digests.js';
import { resolveTrackedTags } from '../../src/workflows/activities/resolve-tracked-tags.js';
import type { WorkflowDeps } from '../../src/workflows/deps.js';
import type { TrackedTag } from '../../src/workflows/types.js';
import { startHostileFront } from '../support/hostile-front.js';
import { type HostileServer, sendJson } from '../support/hostile-server.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

const LONG = `v${'9'.repeat(200)}`;
const LISTED = ['20', 'bad tag', '21', '../22', '22', LONG, '21@sha256:0'];
const images = {
  20: makeImage({ seed: 'tag-20' }),
  21: makeImage({ seed: 'tag-21' }),
  22: makeImage({ seed: 'tag-22' }),
};
/** Tag 21's HEAD answers with this forged digest when `forgeDigest` is set. */
const FORGED = 'sha256:../../etc';
let forgeDigest = false;

let registry: TestRegistry;
let front: HostileServer;

function override(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url?.includes('/tags/list')) {
    sendJson(res, 200, { name: 'base/node', tags: LISTED });
    return true;
  }
  if (forgeDigest && req.method === 'HEAD' && req.url?.endsWith('/manifests/21')) {
    res.writeHead(200, { 'content-type': images[21].mediaType, 'docker-content-digest': FORGED });
    res.end();
    return true;
  }
  return false;
}

/** A working state store in a Map, enough for the two activities. */
function memoryState(): StateStore & { images: Map<string, TrackedImageState> } {
  const images = new Map<string, TrackedImageState>();
  return {
    images,
    getImage: async (target) => images.get(target),
    listImages: async () => [...images.values()],
    updateImage: async (target, change) => {
      const next = change(images.get(target));
      images.set(target, next);
      return next;
    },
    deleteImage: async (target) => void images.delete(target),
    markChecked: async (target, at) => {
      const current = images.get(target);
      if (current) images.set(target, { ...current, lastChecked: at });
      return current !== undefined;
    },
    getApp: async () => undefined,
    listApps: async () => [],
    updateApp: async () => {
      throw new Error('no apps here');
    },
    deleteApp: async () => undefined,
  };
}

function deps(state: StateStore): WorkflowDeps {
  const config = parseConfig(
    `
version: 1
registry: { url: "http://${registry.host}" }
images:
  - source: ${front.host}/base/node
    tagPolicy: { match: "." }
    target: base/node
`,
    'basewatch.yaml',
  );
  return {
    config: async () => config,
    state,
    upstream: upstreamStores(
      new DistributionClient({
        http: new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 }),
      }),
    ),
    env: {},
    now: () => new Date('2026-11-29T12:00:00Z'),
  } as unknown as WorkflowDeps;
}

beforeAll(async () => {
  registry = await startRegistry();
  for (const [tag, image] of Object.entries(images)) await pushImage(registry.url, 'base/node', tag, image);
  front = await startHostileFront(registry.url, { override });
});
afterAll(async () => {
  await front?.stop();
  await registry?.stop();
});

describe('an upstream tag list with tags that are not tags', () => {
  it('skips each bad tag by name; the valid tags proceed', async () => {
    const resolved = await resolveTrackedTags(deps(memoryState()), {
      onlyDue: false,
      at: '2026-11-29T12:00:00Z',
    });
    expect(resolved.tags.map((tag) => tag.source).sort()).toEqual(
      ['20', '21', '22'].map((tag) => `${front.host}/base/node:${tag}`),
    );
    expect(resolved.errors).toHaveLength(1);
    const error = resolved.errors[0]!.error;
    expect(error).toContain('"bad tag"');
    expect(error).toContain('"../22"');
    expect(error).toContain('"21@sha256:0"');
    expect(error).toContain(`"${LONG.slice(0, 80)}…"`);
    expect(error).not.toContain(LONG);
  });

  it('a bad tag in a batch fails alone, named, with no state; the others get their digests', async () => {
    const state = memoryState();
    const tag = (name: string): TrackedTag => ({
      source: `${front.host}/base/node:${name}`,
      target: `base/node:${name}`,
      platforms: 'all',
      minRemaining: 0,
    });
    const checks = await checkUpstreamDigests(deps(state), {
      tags: [tag('20'), tag('bad tag'), tag('21'), tag('22')],
    });

    const byTarget = Object.fromEntries(checks.map((check) => [check.tag.target, check]));
    expect(byTarget['base/node:bad tag']).toMatchObject({ status: 'failed' });
    expect((byTarget['base/node:bad tag'] as { error: string }).error).toContain("base/node:bad tag'");
    for (const name of ['20', '21', '22'] as const) {
      expect(byTarget[`base/node:${name}`]).toMatchObject({ status: 'changed', digest: images[name].digest });
    }
    expect([...state.images.keys()].sort()).toEqual(['base/node:20', 'base/node:21', 'base/node:22']);
  });

  it('a forged digest on one HEAD fails that tag only, and never reaches state', async () => {
    const state = memoryState();
    const tag = (name: string): TrackedTag => ({
      source: `${front.host}/base/node:${name}`,
      target: `base/node:${name}`,
      platforms: 'all',
      minRemaining: 0,
    });
    forgeDigest = true;
    try {
      const checks = await checkUpstreamDigests(deps(state), { tags: [tag('20'), tag('21'), tag('22')] });
      const byTarget = Object.fromEntries(checks.map((check) => [check.tag.target, check]));
      expect(byTarget['base/node:21']).toMatchObject({ status: 'failed' });
      expect((byTarget['base/node:21'] as { error: string }).error).toContain('DIGEST_INVALID');
      expect(byTarget['base/node:20']).toMatchObject({ status: 'changed', digest: images[20].digest });
      expect(byTarget['base/node:22']).toMatchObject({ status: 'changed', digest: images[22].digest });
      expect(state.images.get('base/node:21')?.lastUpstreamDigest).toBeUndefined();
      for (const saved of state.images.values()) {
        if (saved.lastUpstreamDigest !== undefined)
          expect(saved.lastUpstreamDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
      }
    } finally {
      forgeDigest = false;
    }
  });
});
