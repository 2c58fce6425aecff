import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackedImagesNamed } from '../../src/config/tracked-image-match.js';
import type { OrchestrationStatus } from '../../src/core/orchestrations.js';
import { resolveTrackedTags } from '../../src/workflows/activities/resolve-tracked-tags.js';
import type { WorkflowDeps } from '../../src/workflows/deps.js';
import { Activity } from '../../src/workflows/names.js';
import type { TagCheck, TrackedTag } from '../../src/workflows/types.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { errorOf, type OperatorHarness, startOperatorHarness, TEST_TIMING } from './operator-harness.js';

const YAML = `version: 1
registry: { url: oci-layout:./mirror }
images:
  - { source: docker.io/library/node, tags: ["20-alpine", "22-alpine"], target: base/node }
  - { source: docker.io/library/python, tagPolicy: { semver: ">=3.12" }, target: base/python }
`;

/** The real syncCycle runs; its activities are stand-ins, the first held until the test lets it go. */
let releaseResolve: () => void = () => {};
const resolving = new Promise<void>((resolve) => {
  releaseResolve = resolve;
});
const resolveInputs: unknown[] = [];
const NODE_22: TrackedTag = {
  source: 'docker.io/library/node:22-alpine',
  target: 'base/node:22-alpine',
  platforms: 'all',
  minRemaining: 10,
};

let clock = Date.parse('2026-11-27T20:00:00.000Z');
let azurite: AzuriteTables;
let api: OperatorHarness;

beforeAll(async () => {
  azurite = await startAzuriteTables();
  api = await startOperatorHarness({
    yaml: YAML,
    azurite,
    now: () => new Date(clock),
    activities: {
      [Activity.resolveTrackedTags]: async (input) => {
        resolveInputs.push(input);
        await resolving;
        return { tags: [NODE_22], errors: [] };
      },
      [Activity.checkUpstreamDigests]: (input) =>
        (input as { tags: TrackedTag[] }).tags.map(
          (tag): TagCheck => ({ status: 'unchanged', tag, digest: `sha256:${'2'.repeat(64)}` }),
        ),
    },
  });
});
afterAll(async () => {
  releaseResolve();
  await api?.engine.stop();
  await azurite?.stop();
});

// One story: the first cycle is held, a second request meets it running, then it is let go. Never shuffled.
describe('POST /api/sync', { shuffle: false }, () => {
  const firstCycle = 'cycle:2026-11-27T20:00:00.000Z';

  it('starts a manual cycle and answers 202 with its id and where to read it', async () => {
    const response = await api.call('POST', '/sync');
    expect(response.status).toBe(202);
    const statusUrl = `/api/runs/${encodeURIComponent(firstCycle)}`;
    expect(response.body).toEqual({ instanceId: firstCycle, statusUrl });
    expect(response.headers).toEqual({ location: statusUrl });

    const run = (await api.call('GET', statusUrl.slice('/api'.length))).body as OrchestrationStatus;
    expect(run).toMatchObject({ name: 'syncCycle', input: { trigger: 'manual', timing: TEST_TIMING } });
  });

  it('answers 409 with the running cycle while one runs', async () => {
    clock += 60_000;
    const response = await api.call('POST', '/sync', {});
    expect(response.status).toBe(409);
    expect(response.body).toEqual({
      error: `a sync cycle is already running (${firstCycle}); wait for it, or POST {"image": …} to sync one image now`,
      instanceId: firstCycle,
      statusUrl: `/api/runs/${encodeURIComponent(firstCycle)}`,
    });
  });

  it('syncs one named image even while a full cycle runs', async () => {
    const response = await api.call('POST', '/sync', { image: 'base/node:22-alpine' });
    expect(response.status).toBe(202);
    const { instanceId } = response.body as { instanceId: string };
    expect(instanceId).toBe('cycle:2026-11-27T20:01:00.000Z:base_node:22-alpine');
    const run = await api.engine.getStatus(instanceId);
    expect(run?.input).toEqual({ trigger: 'manual', image: 'base/node:22-alpine', timing: TEST_TIMING });
  });

  it('starts the next cycle once the running one has finished', async () => {
    releaseResolve();
    const done = await api.engine.waitForCompletion(firstCycle, 10_000);
    expect(done.runtimeStatus).toBe('Completed');
    // A cycle for one image is a cycle too: the next full one waits for it as well.
    await api.engine.waitForCompletion('cycle:2026-11-27T20:01:00.000Z:base_node:22-alpine', 10_000);
    expect(done.output).toMatchObject({ checked: 1, unchanged: 1, changed: 0 });
    clock += 60_000;
    const response = await api.call('POST', '/sync');
    expect(response.status).toBe(202);
    expect((response.body as { instanceId: string }).instanceId).toBe('cycle:2026-11-27T20:02:00.000Z');
    // The API passed the named image through to the cycle's first activity.
    expect(resolveInputs).toContainEqual(
      expect.objectContaining({ image: 'base/node:22-alpine', onlyDue: false }),
    );
  });

  it('refuses an image that is not tracked, naming it and what is', async () => {
    const response = await api.call('POST', '/sync', { image: 'docker.io/library/ruby:3' });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toBe(
      "'docker.io/library/ruby:3' is not a tracked image in basewatch.yaml (tracked: docker.io/library/node → base/node, docker.io/library/python → base/python); name a target (base/node:20-alpine), a target repository or an upstream source",
    );
    const untrackedTag = await api.call('POST', '/sync', { image: 'base/node:18' });
    expect(untrackedTag.status).toBe(400);
    expect(errorOf(untrackedTag)).toMatch(/^'base\/node:18' is not a tracked image/);
  });

  it('refuses a body that is not {"image"?: string}', async () => {
    const typo = await api.call('POST', '/sync', { imgae: 'base/node:22-alpine' });
    expect(typo.status).toBe(400);
    expect(errorOf(typo)).toBe(
      `body of POST /api/sync: unknown field 'imgae'; expected {"image"?: "<tracked image>"} or no body`,
    );
    const number = await api.call('POST', '/sync', { image: 22 });
    expect(errorOf(number)).toContain(
      "body of POST /api/sync: field 'image': Invalid input: expected string",
    );
    const empty = await api.call('POST', '/sync', { image: ' ' });
    expect(errorOf(empty)).toContain("field 'image': must name a tracked image");
    expect((await api.call('POST', '/sync', 'base/node')).status).toBe(400);
  });
});

describe('which images a sync request names', () => {
  // The API's check must agree with the activity that runs the cycle, or a 202 would end in "not tracked".
  it('names the same tracked images as the resolveTrackedTags activity, both as written here', async () => {
    const deps = {
      config: async () => api.config,
      state: api.state,
      upstream: () => ({ listTags: async () => ['3.11', '3.12', '3.13'] }),
    } as unknown as WorkflowDeps;
    // Expected by reading the config above: a target key or repository, an upstream reference (Docker's
    // short names included, `node` meaning node:latest), or a tag the python policy admits.
    const tracked: Record<string, boolean> = {
      'base/node:20-alpine': true,
      'base/node': true,
      'base/node:18': false,
      'docker.io/library/node': true,
      'docker.io/library/node:22-alpine': true,
      'node:22-alpine': true,
      node: false,
      'base/python:3.13': true,
      'python:3.99': true,
      'docker.io/library/ruby': false,
      'Base/Node': false,
      'myregistry.azurecr.io/base/node:20-alpine': false,
    };
    for (const [ref, expected] of Object.entries(tracked)) {
      const resolved = await resolveTrackedTags(deps, {
        image: ref,
        onlyDue: false,
        at: new Date(clock).toISOString(),
      });
      expect(resolved.tags.length > 0, `activity on ${ref}`).toBe(expected);
      expect(trackedImagesNamed(api.config.images, ref).length > 0, `API on ${ref}`).toBe(expected);
    }
  });
});
