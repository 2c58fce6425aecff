import { describe, expect, it } from 'vitest';
import { CachedInstanceStore } from '../../src/local/durable/cached-instance-store.js';
import { EventType, historyEvent } from '../../src/local/durable/history.js';
import type {
  InstanceRecord,
  InstanceStore,
  StoredInstance,
} from '../../src/local/durable/instance-store.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';

const AT = new Date('2026-01-01T00:00:00Z');
const record = (runtimeStatus: InstanceRecord['runtimeStatus'] = 'Running'): InstanceRecord => ({
  instanceId: 'i1',
  name: 'steps',
  runtimeStatus,
  createdTime: AT.toISOString(),
  lastUpdatedTime: AT.toISOString(),
});
const completion = (id: number) => ({
  key: `task:${id}`,
  event: historyEvent(EventType.TaskCompleted, AT, { TaskScheduledId: id, Result: '1' }),
});

/** Counts loads, and can hold one until released, to see what the cache asks of the store. */
class WatchedStore extends MemoryInstanceStore {
  loads = 0;
  hold: Promise<void> | undefined;
  override async load(instanceId: string): Promise<StoredInstance | undefined> {
    this.loads++;
    const stored = await super.load(instanceId);
    await this.hold;
    return stored;
  }
}

describe('the engine cache in front of an instance store', () => {
  it('writes through: the store alone holds everything the cache was told', async () => {
    const store = new WatchedStore();
    const cached = new CachedInstanceStore(store);
    await cached.create(record());
    await cached.commit(record(), 0, [historyEvent(EventType.OrchestratorStarted, AT)], []);
    await cached.deliver('i1', completion(1));

    const fresh: InstanceStore = new CachedInstanceStore(store);
    const seen = await fresh.load('i1');
    expect(seen?.history).toHaveLength(1);
    expect(seen?.inbox.map((item) => item.key)).toEqual(['task:1']);
  });

  it('reads a running instance from the store once, then from memory', async () => {
    const store = new WatchedStore();
    await store.create(record());
    const cached = new CachedInstanceStore(store);
    await cached.load('i1');
    await cached.deliver('i1', completion(1));
    await cached.commit(record(), 0, [historyEvent(EventType.OrchestratorStarted, AT)], ['task:1']);
    const seen = await cached.load('i1');
    expect(store.loads).toBe(1);
    expect(seen).toMatchObject({ history: [{ EventType: EventType.OrchestratorStarted }], inbox: [] });
  });

  it('keeps a delivery that lands while the store is still answering a load', async () => {
    const store = new WatchedStore();
    await store.create(record());
    let release = () => {};
    store.hold = new Promise((resolve) => {
      release = resolve;
    });
    const cached = new CachedInstanceStore(store);
    const loading = cached.load('i1');
    await Promise.resolve();
    await cached.deliver('i1', completion(2));
    release();
    expect((await loading)?.inbox.map((item) => item.key)).toEqual(['task:2']);
    expect((await cached.load('i1'))?.inbox.map((item) => item.key)).toEqual(['task:2']);
  });

  it('forgets a finished instance, so the cache holds only running ones', async () => {
    const store = new WatchedStore();
    const cached = new CachedInstanceStore(store);
    await cached.create(record());
    await cached.commit(record('Completed'), 0, [historyEvent(EventType.ExecutionCompleted, AT)], []);
    expect((await cached.load('i1'))?.record.runtimeStatus).toBe('Completed');
    expect(store.loads).toBe(1);
  });
});
