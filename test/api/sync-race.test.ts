// Two POST /api/sync for one image in the same millisecond name the same cycle: one starts it, the other is
// told it runs (409), and the running cycle is never reset.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Activity } from '../../src/workflows/names.js';
import type { TrackedTag } from '../../src/workflows/types.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { type OperatorHarness, startOperatorHarness } from './operator-harness.js';

let release: () => void = () => {};
const held = new Promise<void>((resolve) => {
  release = resolve;
});
let azurite: AzuriteTables;
let api: OperatorHarness;

beforeAll(async () => {
  azurite = await startAzuriteTables();
  api = await startOperatorHarness({
    yaml: `version: 1
registry: { url: oci-layout:./mirror }
images:
  - { source: docker.io/library/node, tags: ["22"], target: base/node }
`,
    azurite,
    now: () => new Date('2026-11-29T22:00:00.000Z'),
    activities: {
      [Activity.resolveTrackedTags]: async () => {
        await held;
        return { tags: [] as TrackedTag[], errors: [] };
      },
    },
  });
});
afterAll(async () => {
  release();
  await api?.engine.stop();
  await azurite?.stop();
});

it('two syncs of one image in the same millisecond: one 202, one 409, one cycle that is not reset', async () => {
  const responses = await Promise.all([
    api.call('POST', '/sync', { image: 'base/node:22' }),
    api.call('POST', '/sync', { image: 'base/node:22' }),
  ]);
  expect(responses.map((response) => response.status).sort()).toEqual([202, 409]);
  const id = 'cycle:2026-11-29T22:00:00.000Z:base_node:22';
  expect((await api.engine.list()).map((run) => run.instanceId)).toEqual([id]);
  release();
  const done = await api.engine.waitForCompletion(id, 30_000);
  expect(done.runtimeStatus).toBe('Completed');
  const history = (await api.engine.getStatus(id, { showHistory: true }))?.history ?? [];
  expect(history.filter((entry) => entry.eventType === 'ExecutionStarted')).toHaveLength(1);
});
