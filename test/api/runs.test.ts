import type * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestrationStatus } from '../../src/core/orchestrations.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { errorOf, type OperatorHarness, startOperatorHarness } from './operator-harness.js';

const YAML = `version: 1
registry: { url: oci-layout:./mirror }
images:
  - { source: docker.io/library/node, tags: ["22-alpine"], target: base/node }
`;

// Shaped like the ids the workflows make: syncImageInstanceId, then rebuildInstanceId inside it.
// As syncImageInstanceId and rebuildInstanceId make them: Durable Functions refuses '/' in an id.
const SPECIAL_ID = 'sync:base_node:22-alpine@0123456789abcdef|rebuild:orders';

const testOrchestrations: Record<string, df.OrchestrationHandler> = {
  /** Waits an hour on a durable timer, as a rebuild waits between polls. */
  awaitApproval: function* (context) {
    context.df.setCustomStatus({ phase: 'waiting for approval' });
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3600_000));
    return 'approved';
  },
  answer: function* (context) {
    context.df.setCustomStatus({ phase: 'answered' });
    return yield context.df.callActivity('double', context.df.getInput());
  },
  explode: function* (context) {
    yield context.df.callActivity('fail', null);
  },
};

let azurite: AzuriteTables;
let api: OperatorHarness;
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
/** The engine's clock: each run below is created one second after the one before it. */
let clock = Date.parse('2026-11-27T19:00:00.000Z');
const tick = () => {
  clock += 1000;
};

/** A harness over its own engine, holding the four runs every test below reads: one finished, one failed, two running. */
async function harnessWithRuns(): Promise<OperatorHarness> {
  const harness = await startOperatorHarness({
    yaml: YAML,
    azurite,
    orchestrations: testOrchestrations,
    activities: {
      double: (input) => (input as number) * 2,
      fail: () => {
        throw new Error('MANIFEST_UNKNOWN: manifest unknown to registry');
      },
    },
    engineNow: () => new Date(clock),
  });
  const { engine } = harness;
  // Oldest first, a second apart on the injected clock, so that "newest first" has one answer.
  await engine.waitForCompletion(await engine.start('answer', { instanceId: 'answer-1', input: 21 }));
  tick();
  await engine.waitForCompletion(await engine.start('explode', { instanceId: 'explode-1' }));
  tick();
  await engine.start('awaitApproval', { instanceId: SPECIAL_ID });
  tick();
  await engine.start('awaitApproval', { instanceId: 'cycle:2026-11-27T20:00:00.000Z' });
  await waitForStatus(harness, 'cycle:2026-11-27T20:00:00.000Z', 'Running');
  await waitForStatus(harness, SPECIAL_ID, 'Running');
  return harness;
}

beforeAll(async () => {
  azurite = await startAzuriteTables();
  api = await harnessWithRuns();
});
afterAll(async () => {
  await api?.engine.stop();
  await azurite?.stop();
});

async function waitForStatus(harness: OperatorHarness, instanceId: string, wanted: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await harness.engine.getStatus(instanceId))?.runtimeStatus === wanted) return;
    await pause();
  }
  throw new Error(`${instanceId} never became ${wanted}`);
}

const runsOf = (body: unknown) => (body as { runs: (OrchestrationStatus & { statusUrl: string })[] }).runs;

describe('GET /api/runs', () => {
  it('lists runs newest first, each with where to read it', async () => {
    const response = await api.call('GET', '/runs');
    expect(response.status).toBe(200);
    const runs = runsOf(response.body);
    expect(runs.map((run) => [run.instanceId, run.runtimeStatus])).toEqual([
      ['cycle:2026-11-27T20:00:00.000Z', 'Running'],
      [SPECIAL_ID, 'Running'],
      ['explode-1', 'Failed'],
      ['answer-1', 'Completed'],
    ]);
    expect(runs[1]!.statusUrl).toBe(`/api/runs/${encodeURIComponent(SPECIAL_ID)}`);
    expect(runs[3]).toMatchObject({ name: 'answer', output: 42, customStatus: { phase: 'answered' } });
  });

  it('filters by one or several statuses in any case, and limits', async () => {
    const running = runsOf((await api.call('GET', '/runs?status=running')).body);
    expect(running.map((run) => run.instanceId)).toEqual(['cycle:2026-11-27T20:00:00.000Z', SPECIAL_ID]);
    const finished = runsOf((await api.call('GET', '/runs?status=COMPLETED,%20failed')).body);
    expect(finished.map((run) => run.instanceId)).toEqual(['explode-1', 'answer-1']);
    const newest = runsOf((await api.call('GET', '/runs?limit=1')).body);
    expect(newest.map((run) => run.instanceId)).toEqual(['cycle:2026-11-27T20:00:00.000Z']);
    expect(runsOf((await api.call('GET', '/runs?status=&limit=500')).body)).toHaveLength(4);
  });

  it('refuses a bad status or limit, naming the parameter and what it takes', async () => {
    const status = await api.call('GET', '/runs?status=running,done');
    expect(status.status).toBe(400);
    expect(errorOf(status)).toBe(
      "query parameter 'status' of GET /api/runs must be one or more of Pending, Running, Completed, Failed, Terminated, ContinuedAsNew, Canceled, Suspended (comma-separated, any case); 'done' is none of them, got 'running,done'",
    );
    for (const limit of ['0', 'ten', '2.5', '-1', '']) {
      const response = await api.call('GET', `/runs?limit=${limit}`);
      expect(response.status, `limit=${limit}`).toBe(400);
      expect(errorOf(response)).toBe(
        `query parameter 'limit' of GET /api/runs must be a whole number from 1 (a page holds at most 500), got '${limit}'`,
      );
    }
  });
});

describe('GET /api/runs/{id}', () => {
  it('shows status, input, output, custom status and history', async () => {
    const response = await api.call('GET', '/runs/answer-1');
    expect(response.status).toBe(200);
    const run = response.body as OrchestrationStatus;
    expect(run).toMatchObject({
      instanceId: 'answer-1',
      name: 'answer',
      runtimeStatus: 'Completed',
      input: 21,
      output: 42,
      customStatus: { phase: 'answered' },
    });
    expect(run.history!.map((entry) => entry.eventType)).toEqual([
      'ExecutionStarted',
      'TaskScheduled',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(run.history![1]).toMatchObject({ name: 'double', input: 21 });
  });

  it('shows why a failed run failed', async () => {
    const run = (await api.call('GET', '/runs/explode-1')).body as OrchestrationStatus;
    expect(run.runtimeStatus).toBe('Failed');
    expect(run.history!.find((entry) => entry.eventType === 'TaskFailed')?.failure).toBe(
      'MANIFEST_UNKNOWN: manifest unknown to registry',
    );
  });

  it("finds ids with ':', '|' and '@', encoded or (where a path allows) as they are", async () => {
    const encoded = await api.call('GET', `/runs/${encodeURIComponent(SPECIAL_ID)}`);
    expect(encoded.status).toBe(200);
    expect(encoded.body).toMatchObject({ instanceId: SPECIAL_ID, runtimeStatus: 'Running' });
    const raw = await api.call('GET', '/runs/cycle:2026-11-27T20:00:00.000Z');
    expect(raw.body).toMatchObject({ instanceId: 'cycle:2026-11-27T20:00:00.000Z' });
    const pipeOnly = await api.call('GET', `/runs/${SPECIAL_ID.replace('|', '%7C')}`);
    expect(pipeOnly.body).toMatchObject({ instanceId: SPECIAL_ID });
  });

  it('answers 404 naming an unknown id', async () => {
    const response = await api.call('GET', `/runs/${encodeURIComponent('sync:base/ruby:3@ffff|x')}`);
    expect(response.status).toBe(404);
    expect(errorOf(response)).toBe(
      "no run with id 'sync:base/ruby:3@ffff|x'; GET /api/runs lists the runs there are",
    );
  });
});

// Terminating changes the runs the reads above list: these tests terminate runs of an engine of their own.
describe('POST /api/runs/{id}/terminate', () => {
  let ops: OperatorHarness;
  beforeAll(async () => {
    ops = await harnessWithRuns();
  });
  afterAll(async () => {
    await ops?.engine.stop();
  });

  it('terminates a run waiting on a durable timer, with the reason in its output and history', async () => {
    const path = `/runs/${encodeURIComponent(SPECIAL_ID)}/terminate`;
    const response = await ops.call('POST', path, { reason: 'base rolled back upstream' });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      instanceId: SPECIAL_ID,
      reason: 'base rolled back upstream',
      statusUrl: `/api/runs/${encodeURIComponent(SPECIAL_ID)}`,
    });
    expect(response.headers).toEqual({ location: `/api/runs/${encodeURIComponent(SPECIAL_ID)}` });

    const run = (await ops.call('GET', `/runs/${encodeURIComponent(SPECIAL_ID)}`))
      .body as OrchestrationStatus;
    expect(run.runtimeStatus).toBe('Terminated');
    expect(run.output).toBe('base rolled back upstream');
    expect(run.history!.map((entry) => entry.eventType)).toEqual([
      'ExecutionStarted',
      'TimerCreated',
      'ExecutionTerminated',
    ]);

    const again = await ops.call('POST', path);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      error: `run '${SPECIAL_ID}' already finished (Terminated); only a run that has not finished can be terminated`,
      instanceId: SPECIAL_ID,
      runtimeStatus: 'Terminated',
    });
  });

  it('gives a default reason when the body has none', async () => {
    const response = await ops.call(
      'POST',
      `/runs/${encodeURIComponent('cycle:2026-11-27T20:00:00.000Z')}/terminate`,
    );
    expect(response.status).toBe(202);
    const run = await ops.engine.getStatus('cycle:2026-11-27T20:00:00.000Z');
    expect(run).toMatchObject({
      runtimeStatus: 'Terminated',
      output: 'terminated by an operator through the API',
    });
  });

  it('answers 409 for a completed run and 404 for an unknown one', async () => {
    const completed = await ops.call('POST', '/runs/answer-1/terminate', {});
    expect(completed.status).toBe(409);
    expect(errorOf(completed)).toContain("run 'answer-1' already finished (Completed)");
    const unknown = await ops.call('POST', '/runs/nobody/terminate');
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown)).toBe("no run with id 'nobody'; GET /api/runs lists the runs there are");
  });

  it('refuses a body that is not {"reason"?: string}', async () => {
    const wrongType = await ops.call('POST', '/runs/answer-1/terminate', { reason: 5 });
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType)).toBe(
      `body of POST /api/runs/{id}/terminate: field 'reason': Invalid input: expected string, received number; expected {"reason"?: "<why>"}`,
    );
    const unknownField = await ops.call('POST', '/runs/answer-1/terminate', { reasn: 'typo' });
    expect(errorOf(unknownField)).toBe(
      `body of POST /api/runs/{id}/terminate: unknown field 'reasn'; expected {"reason"?: "<why>"}`,
    );
    const notObject = await ops.call('POST', '/runs/answer-1/terminate', ['stop']);
    expect(errorOf(notObject)).toBe(
      `body of POST /api/runs/{id}/terminate: not a JSON object; expected {"reason"?: "<why>"}`,
    );
  });
});
