// Runs paged, filtered and purged through the operator API, on the local engine over Azurite with the
// runs index (as the local host runs it), on a clock the test sets: every expectation is a literal.
import type * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorContext } from '../../src/api/context.js';
import { type ApiResponse, routeOperatorApi } from '../../src/api/router.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import type { OrchestrationStatus } from '../../src/core/orchestrations.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { IndexedInstanceStore } from '../../src/local/durable/run-index.js';
import { TableInstanceStore } from '../../src/local/durable/table-instance-store.js';
import { startDailyPurge } from '../../src/local/timer.js';
import { TEST_TIMING } from '../api/operator-harness.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';

const YAML = `version: 1
registry: { url: oci-layout:./mirror }
images:
  - { source: docker.io/library/node, tags: ["22"], target: base/node }
`;

const ORCHESTRATIONS = new Map<string, df.OrchestrationHandler>([
  [
    'syncCycle',
    // biome-ignore lint/correctness/useYield: it ends at once, with nothing to wait for
    function* () {
      return 'cycled';
    },
  ],
  [
    'rebuildApp',
    // biome-ignore lint/correctness/useYield: it ends at once, with nothing to wait for
    function* () {
      throw new Error('rebuild of orders failed: CI answered HTTP 500');
    },
  ],
  [
    'waits',
    function* (context) {
      // Ten years: the test's clock moves by weeks, and this run must still be running.
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3650 * 86_400_000));
      return 'never';
    },
  ],
]);

let azurite: AzuriteTables;
let hubs = 0;
const engines: LocalDurableEngine[] = [];

interface World {
  readonly engine: LocalDurableEngine;
  call(method: string, path: string, body?: unknown): Promise<ApiResponse>;
  /** Moves the engine's and the API's clock to `iso`. */
  at(iso: string): void;
}

/** An engine of the test's own (its own task hub) over the Table store with the runs index. */
async function world(): Promise<World> {
  const connection = { connectionString: azurite.connectionString };
  const hub = `web${process.pid}x${++hubs}`;
  let clock = Date.parse('2026-11-01T00:00:00.000Z');
  const now = () => new Date(clock);
  const engine = new LocalDurableEngine({
    store: await IndexedInstanceStore.open(await TableInstanceStore.open(connection, hub), connection, hub),
    orchestrations: ORCHESTRATIONS,
    activities: new Map(),
    now,
  });
  engines.push(engine);
  const config = parseConfig(YAML, 'basewatch.yaml');
  const ctx = {
    orchestrations: engine,
    config: async () => config,
    discovery: [],
    timing: TEST_TIMING,
    now,
  } as unknown as OperatorContext;
  return {
    engine,
    at: (iso) => {
      clock = Date.parse(iso);
    },
    call: (method, path, body) => {
      const question = path.indexOf('?');
      return routeOperatorApi(ctx, {
        method,
        path: question < 0 ? path : path.slice(0, question),
        query: new URLSearchParams(question < 0 ? '' : path.slice(question + 1)),
        ...(body !== undefined && { body }),
        headers: { 'content-type': 'application/json' },
      });
    },
  };
}

/** Runs `name` as `id` at `iso` and waits for it to finish. */
async function runAt(w: World, iso: string, name: string, id: string): Promise<void> {
  w.at(iso);
  await w.engine.start(name, { instanceId: id });
  if (name !== 'waits') await w.engine.waitForCompletion(id, 10_000);
  else await expect.poll(async () => (await w.engine.getStatus(id))?.runtimeStatus).toBe('Running');
}

type Page = { runs: (OrchestrationStatus & { statusUrl: string })[]; continuationToken?: string };
const page = (response: ApiResponse) => {
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Page;
};
const ids = (p: Page) => p.runs.map((run) => run.instanceId);

beforeAll(async () => {
  azurite = await startAzuriteTables();
});
afterAll(async () => {
  for (const engine of engines) await engine.stop();
  await azurite?.stop();
});

describe('GET /api/runs, a page at a time', () => {
  it('pages newest first with the continuation token until there is none', async () => {
    const w = await world();
    for (let day = 1; day <= 7; day++)
      await runAt(w, `2026-11-0${day}T10:00:00.000Z`, 'syncCycle', `cycle-day-${day}`);
    const first = page(await w.call('GET', '/runs?limit=3'));
    expect(ids(first)).toEqual(['cycle-day-7', 'cycle-day-6', 'cycle-day-5']);
    expect(first.runs[0]).toMatchObject({
      name: 'syncCycle',
      runtimeStatus: 'Completed',
      createdTime: '2026-11-07T10:00:00.000Z',
      statusUrl: '/api/runs/cycle-day-7',
    });
    const token = first.continuationToken as string;
    expect(token).toEqual(expect.any(String));
    const second = page(await w.call('GET', `/runs?limit=3&continuationToken=${encodeURIComponent(token)}`));
    expect(ids(second)).toEqual(['cycle-day-4', 'cycle-day-3', 'cycle-day-2']);
    const third = page(
      await w.call(
        'GET',
        `/runs?limit=3&continuationToken=${encodeURIComponent(second.continuationToken as string)}`,
      ),
    );
    expect(ids(third)).toEqual(['cycle-day-1']);
    expect(third.continuationToken).toBeUndefined();
  });

  it('filters by status, name and creation time, in the store', async () => {
    const w = await world();
    await runAt(w, '2026-11-02T08:00:00.000Z', 'syncCycle', 'c-1');
    await runAt(w, '2026-11-03T08:00:00.000Z', 'rebuildApp', 'r-1');
    await runAt(w, '2026-11-04T08:00:00.000Z', 'syncCycle', 'c-2');
    await runAt(w, '2026-11-05T08:00:00.000Z', 'rebuildApp', 'r-2');
    await runAt(w, '2026-11-06T08:00:00.000Z', 'waits', 'w-1');
    expect(ids(page(await w.call('GET', '/runs?status=failed')))).toEqual(['r-2', 'r-1']);
    expect(ids(page(await w.call('GET', '/runs?name=syncCycle')))).toEqual(['c-2', 'c-1']);
    expect(ids(page(await w.call('GET', '/runs?status=Running,Completed')))).toEqual(['w-1', 'c-2', 'c-1']);
    expect(ids(page(await w.call('GET', '/runs?from=2026-11-03T08:00:00Z&to=2026-11-05T08:00:00Z')))).toEqual(
      ['c-2', 'r-1'],
    );
    expect(ids(page(await w.call('GET', '/runs?name=rebuildApp&from=2026-11-04T00:00:00Z')))).toEqual([
      'r-2',
    ]);
  });

  it('a run started again under its id is listed once, at its new time', async () => {
    const w = await world();
    await runAt(w, '2026-11-02T08:00:00.000Z', 'syncCycle', 'again');
    await runAt(w, '2026-11-03T08:00:00.000Z', 'syncCycle', 'between');
    await runAt(w, '2026-11-04T08:00:00.000Z', 'syncCycle', 'again');
    const runs = page(await w.call('GET', '/runs')).runs;
    expect(runs.map((run) => [run.instanceId, run.createdTime])).toEqual([
      ['again', '2026-11-04T08:00:00.000Z'],
      ['between', '2026-11-03T08:00:00.000Z'],
    ]);
  });

  it('a limit above 500 is a page of at most 500 with a token, not a refusal', async () => {
    const w = await world();
    await runAt(w, '2026-11-02T08:00:00.000Z', 'syncCycle', 'only');
    expect(ids(page(await w.call('GET', '/runs?limit=1000')))).toEqual(['only']);
  });

  it('refuses a bad time or a token no page gave, naming the parameter', async () => {
    const w = await world();
    const time = await w.call('GET', '/runs?from=yesterday');
    expect(time.status).toBe(400);
    expect((time.body as { error: string }).error).toBe(
      "query parameter 'from' of GET /api/runs must be a time in ISO 8601 (2026-11-30T00:00:00Z), got 'yesterday'",
    );
    const token = await w.call('GET', '/runs?continuationToken=not-a-token');
    expect(token.status).toBe(400);
    expect((token.body as { error: string }).error).toMatch(
      /^query parameter 'continuationToken' of GET \/api\/runs is not one a page of runs gave: /,
    );
  });
});

describe('POST /api/runs/purge', () => {
  it('purges finished runs created before olderThan days ago, never a running one', async () => {
    const w = await world();
    await runAt(w, '2026-10-01T00:00:00.000Z', 'syncCycle', 'old-done');
    await runAt(w, '2026-10-02T00:00:00.000Z', 'rebuildApp', 'old-failed');
    await runAt(w, '2026-10-03T00:00:00.000Z', 'waits', 'old-running');
    await runAt(w, '2026-11-20T00:00:00.000Z', 'syncCycle', 'recent');
    w.at('2026-11-30T00:00:00.000Z');
    const response = await w.call('POST', '/runs/purge', { olderThan: '30d' });
    expect(response).toMatchObject({ status: 200, body: { purged: 2, before: '2026-10-31T00:00:00.000Z' } });
    expect(ids(page(await w.call('GET', '/runs')))).toEqual(['recent', 'old-running']);
    expect(await w.engine.getStatus('old-done')).toBeUndefined();
    expect((await w.call('GET', '/runs/old-failed')).status).toBe(404);
    const exact = await w.call('POST', '/runs/purge', { before: '2026-11-21T00:00:00Z' });
    expect(exact.body).toEqual({ purged: 1, before: '2026-11-21T00:00:00.000Z' });
  });

  it('refuses what is not a retention, naming the field', async () => {
    const w = await world();
    const cases: [unknown, string][] = [
      [
        {},
        'body of POST /api/runs/purge: give exactly one of \'olderThan\' and \'before\'; expected {"olderThan": "<days>d"} or {"before": "<ISO 8601 time>"}',
      ],
      [
        { olderThan: '30' },
        'body of POST /api/runs/purge: field \'olderThan\': must be a number of days, e.g. "30d"; expected {"olderThan": "<days>d"} or {"before": "<ISO 8601 time>"}',
      ],
      [
        { olderThan: '0d' },
        "body of POST /api/runs/purge: field 'olderThan': must be from 1d to 36500d, got '0d'",
      ],
      [
        { before: 'soon' },
        'body of POST /api/runs/purge: field \'before\': must be a time in ISO 8601; expected {"olderThan": "<days>d"} or {"before": "<ISO 8601 time>"}',
      ],
      [
        { olderThan: '1d', everything: true },
        'body of POST /api/runs/purge: unknown field \'everything\'; expected {"olderThan": "<days>d"} or {"before": "<ISO 8601 time>"}',
      ],
    ];
    for (const [body, error] of cases) {
      const response = await w.call('POST', '/runs/purge', body);
      expect(response, JSON.stringify(body)).toEqual({ status: 400, body: { error } });
    }
  });
});

describe('POST /api/runs/{id}/rerun', () => {
  it('refuses a run that is not a finished sync', async () => {
    const w = await world();
    await runAt(w, '2026-11-02T08:00:00.000Z', 'syncCycle', 'a-cycle');
    const response = await w.call('POST', '/runs/a-cycle/rerun', {});
    expect(response).toEqual({
      status: 409,
      body: { error: "run 'a-cycle' is a syncCycle; only a syncImage's failed rebuilds can be rerun" },
    });
    expect((await w.call('POST', '/runs/nothing-here/rerun', {})).status).toBe(404);
  });
});

describe('history.keepDays on the local host', () => {
  it('purges at start what is older than keepDays, then daily', async () => {
    const w = await world();
    await runAt(w, '2026-10-01T00:00:00.000Z', 'syncCycle', 'forty-days');
    await runAt(w, '2026-11-25T00:00:00.000Z', 'syncCycle', 'five-days');
    const timer = startDailyPurge(30, w.engine, silentLogger, () => new Date('2026-11-30T12:00:00.000Z'));
    try {
      expect(timer.next().toISOString()).toBe('2026-12-01T03:30:00.000Z');
      await expect.poll(async () => ids(page(await w.call('GET', '/runs')))).toEqual(['five-days']);
    } finally {
      timer.stop();
    }
  });
});
