// The Orchestrations port on Azure: the real durable client (as the Functions host hands it to a trigger)
// against the extension's HTTP API, served here over the local engine.
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableClientOrchestrations } from '../../src/azure/durable-orchestrations.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { type DurableExtension, startDurableExtension } from '../support/azure/durable-extension.js';

let engine: LocalDurableEngine;
let extension: DurableExtension;
let orchestrations: DurableClientOrchestrations;

beforeAll(async () => {
  engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations: new Map<string, df.OrchestrationHandler>([
      [
        'echo',
        function* (context) {
          return yield context.df.callActivity('shout', context.df.getInput());
        },
      ],
      [
        'waits',
        function* (context) {
          yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
          return 'never';
        },
      ],
    ]),
    activities: new Map([['shout', (input: unknown) => String(input).toUpperCase()]]),
  });
  extension = await startDurableExtension(engine);
  // What the Functions host puts in a trigger's context for `extraInputs: [df.input.durableClient()]`.
  const binding = df.input.durableClient();
  const context = new InvocationContext({ options: { extraInputs: [binding] } });
  context.extraInputs.set(binding, {
    taskHubName: 'basewatch',
    creationUrls: {},
    managementUrls: {},
    rpcBaseUrl: extension.rpcBaseUrl,
  });
  orchestrations = new DurableClientOrchestrations(df.getClient(context));
});
afterAll(async () => {
  await engine?.stop();
  await extension?.stop();
});

describe('DurableClientOrchestrations over the durable client', () => {
  it('starts with an instance id and input, and reads the status with its history', async () => {
    const id = await orchestrations.start('echo', {
      instanceId: 'cycle:2026-11-27T12:00:00.000Z',
      input: 'hi',
    });
    expect(id).toBe('cycle:2026-11-27T12:00:00.000Z');
    await engine.waitForCompletion(id, 5_000);
    const status = await orchestrations.getStatus(id, { showHistory: true });
    expect(status).toMatchObject({
      instanceId: id,
      name: 'echo',
      runtimeStatus: 'Completed',
      input: 'hi',
      output: 'HI',
    });
    expect(status!.history!.map((entry) => entry.eventType)).toContain('TaskCompleted');
    expect(status!.history!.find((entry) => entry.eventType === 'TaskScheduled')).toMatchObject({
      name: 'shout',
    });
  });

  it('an unknown instance has no status (the client throws on the 404; the port says undefined)', async () => {
    expect(await orchestrations.getStatus('no-such-instance')).toBeUndefined();
  });

  it('lists by runtime status, newest first, and terminates a waiting instance', async () => {
    await orchestrations.start('waits', { instanceId: 'waiting-1' });
    await expect
      .poll(async () => (await orchestrations.getStatus('waiting-1'))?.runtimeStatus)
      .toBe('Running');
    const running = await orchestrations.list({ runtimeStatus: ['Running', 'Pending'] });
    expect(running.map((status) => status.instanceId)).toEqual(['waiting-1']);
    await orchestrations.terminate('waiting-1', 'operator asked');
    expect((await orchestrations.getStatus('waiting-1'))?.runtimeStatus).toBe('Terminated');
    const all = await orchestrations.list({ limit: 1 });
    expect(all.map((status) => status.instanceId)).toEqual(['waiting-1']);
  });

  it('purges an instance', async () => {
    await orchestrations.purge('waiting-1');
    expect(await orchestrations.getStatus('waiting-1')).toBeUndefined();
    expect(extension.requests.some((request) => request.method === 'DELETE')).toBe(true);
  });
});
