import { TableClient } from '@azure/data-tables';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateEntityWithRetry } from '../../src/azure/etag-update.js';
import { openTableStateStore, TableStateStore } from '../../src/azure/state-store.js';
import { escapeTableKey, isValidTableKey, unescapeTableKey } from '../../src/azure/table-keys.js';
import { type AppState, ConcurrentUpdateError, type TrackedImageState } from '../../src/core/state.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

let azurite: AzuriteTables;
let prefixCount = 0;
// A fresh pair of tables per test, so tests do not see each other's rows.
const freshStore = () =>
  openTableStateStore({ connectionString: azurite.connectionString }, `t${++prefixCount}`);

beforeAll(async () => {
  azurite = await startAzuriteTables();
});

afterAll(async () => {
  await azurite?.stop();
});

describe('table keys', () => {
  it('escape every forbidden character reversibly', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const key = escapeTableKey(value);
        expect(isValidTableKey(key) || key.length > 512).toBe(true);
        expect(unescapeTableKey(key)).toBe(value);
      }),
    );
    expect(escapeTableKey('base/node#1?x\\y%z\u0007')).toBe('base%2Fnode%231%3Fx%5Cy%25z%07');
  });
});

/** A tracked image as a check and an import left it. */
const CHECKED_NODE: TrackedImageState = {
  source: 'docker.io/library/node:20-alpine',
  target: 'base/node:20-alpine',
  lastUpstreamDigest: D1,
  importedDigest: D1,
  lastChecked: '2026-11-27T19:00:00.000Z',
  lastChanged: '2026-11-27T18:00:00.000Z',
};

describe('TableStateStore on Azurite', () => {
  it('keeps tracked images, with every field, under escaped keys', async () => {
    const store = await freshStore();
    const image: TrackedImageState = {
      ...CHECKED_NODE,
      lastError: 'HEAD docker.io/library/node:20-alpine: TOOMANYREQUESTS',
    };
    expect(await store.getImage(image.target)).toBeUndefined();
    await store.updateImage(image.target, () => image);
    await store.updateImage('team#1/odd?name:v1', () => ({ source: 'x/y:v1', target: 'team#1/odd?name:v1' }));
    await store.updateImage(`base/node@${D2}`, () => ({
      source: `docker.io/library/node@${D2}`,
      target: `base/node@${D2}`,
    }));
    expect(await store.getImage(image.target)).toEqual(image);
    expect((await store.listImages()).map((i) => i.target)).toEqual([
      'base/node:20-alpine',
      `base/node@${D2}`,
      'team#1/odd?name:v1',
    ]);

    // A field set to undefined is removed, not kept from before (Replace, not Merge).
    const { lastError: _, ...cleared } = image;
    expect(
      await store.updateImage(image.target, (current) => ({ ...current!, lastError: undefined })),
    ).toEqual(cleared);
    expect(await store.getImage(image.target)).toEqual(cleared);

    await store.deleteImage(image.target);
    await store.deleteImage(image.target);
    expect(await store.getImage(image.target)).toBeUndefined();
  });

  it('records a check alone: lastChecked changes, every other field stays, and no record is created', async () => {
    const store = await freshStore();
    const image: TrackedImageState = {
      ...CHECKED_NODE,
      pinned: { digest: D1, by: 'operator', at: '2026-11-27T18:30:00.000Z' },
    };
    await store.updateImage(image.target, () => image);
    expect(await store.markChecked(image.target, '2026-11-30T04:50:00.000Z')).toBe(true);
    expect(await store.getImage(image.target)).toEqual({ ...image, lastChecked: '2026-11-30T04:50:00.000Z' });

    expect(await store.markChecked('base/never:1', '2026-11-30T04:50:00.000Z')).toBe(false);
    expect(await store.getImage('base/never:1')).toBeUndefined();
  });

  it('keeps apps with their bases and last rebuild', async () => {
    const store = await freshStore();
    const app: AppState = {
      name: 'orders-api',
      image: 'apps/orders-api:1',
      team: 'payments',
      bases: ['base/node:20-alpine', 'apps/runtime:22'],
      lastRebuild: {
        baseDigest: D1,
        result: 'failed',
        runId: 'cb1',
        time: '2026-11-27T19:05:00.000Z',
        reason: 'exit 1',
      },
    };
    await store.updateApp(app.name, () => app);
    await store.updateApp('reports', () => ({
      name: 'reports',
      image: 'apps/reports:1',
      team: 'finance',
      bases: [],
    }));
    expect(await store.getApp('orders-api')).toEqual(app);
    expect(await store.listApps()).toEqual([
      app,
      { name: 'reports', image: 'apps/reports:1', team: 'finance', bases: [] },
    ]);
    await store.deleteApp('reports');
    expect(await store.getApp('reports')).toBeUndefined();
  });

  it('bounds long error texts to what a Table property holds', async () => {
    const store = await freshStore();
    const long = 'x'.repeat(100_000);
    await store.updateImage('base/a:1', () => ({
      source: 'docker.io/library/a:1',
      target: 'base/a:1',
      lastError: long,
    }));
    const stored = await store.getImage('base/a:1');
    expect(stored?.lastError).toHaveLength(8000);
    expect(stored?.lastError?.endsWith('…')).toBe(true);
  });

  it('refuses an update that would rename the record', async () => {
    const store = await freshStore();
    await expect(
      store.updateApp('a', () => ({ name: 'b', image: 'apps/b:1', team: 't', bases: [] })),
    ).rejects.toThrow('update app a: change renamed it to b');
  });

  it('rejects a write carrying a stale ETag (the service enforces it, so the retry loop is needed)', async () => {
    const store = await freshStore();
    await store.updateApp('a', () => ({ name: 'a', image: 'apps/a:1', team: 't', bases: [] }));
    const table = TableClient.fromConnectionString(azurite.connectionString, `t${prefixCount}apps`, {
      allowInsecureConnection: true,
    });
    const read = await table.getEntity('a', '');
    await table.updateEntity({ partitionKey: 'a', rowKey: '', team: 'u' }, 'Merge', { etag: read.etag });
    await expect(
      table.updateEntity({ partitionKey: 'a', rowKey: '', team: 'v' }, 'Merge', { etag: read.etag }),
    ).rejects.toMatchObject({ statusCode: 412 });
  });

  it('never loses an update when two writers race on one record', async () => {
    const first = await freshStore();
    // A second store with its own clients stands for a second process writing the same tables; it
    // counts the conflicts it runs into, to show the race really happens.
    let conflicts = 0;
    const client = (name: string) =>
      TableClient.fromConnectionString(azurite.connectionString, `t${prefixCount}${name}`, {
        allowInsecureConnection: true,
      });
    const apps = client('apps');
    const counting = Object.create(apps) as TableClient;
    const counted = <T>(write: Promise<T>) =>
      write.catch((error: { statusCode?: number }) => {
        if (error.statusCode === 409 || error.statusCode === 412) conflicts++;
        throw error;
      });
    counting.createEntity = (entity, options) => counted(apps.createEntity(entity, options));
    counting.updateEntity = (entity, mode, options) => counted(apps.updateEntity(entity, mode, options));
    const second = new TableStateStore(client('images'), counting);

    const perWriter = 15;
    const writer = async (store: TableStateStore, id: string) => {
      for (let i = 0; i < perWriter; i++) {
        await store.updateApp('shared', (current) => ({
          name: 'shared',
          image: 'apps/shared:1',
          team: 't',
          bases: [...(current?.bases ?? []), `${id}/${i}`],
        }));
      }
    };
    // Both start from nothing, so the first writes race on the create (409) as well as on updates (412).
    await Promise.all([writer(first, 'a'), writer(second, 'b'), writer(first, 'c'), writer(second, 'd')]);
    const bases = (await first.getApp('shared'))?.bases ?? [];
    expect(bases).toHaveLength(4 * perWriter);
    for (const id of ['a', 'b', 'c', 'd']) {
      // Each writer's own updates land in its order.
      expect(bases.filter((b) => b.startsWith(`${id}/`))).toEqual(
        [...Array(perWriter).keys()].map((i) => `${id}/${i}`),
      );
    }
    expect(conflicts).toBeGreaterThan(0);
  });

  it('gives up with ConcurrentUpdateError naming the record when it keeps losing', async () => {
    await freshStore();
    const table = TableClient.fromConnectionString(azurite.connectionString, `t${prefixCount}apps`, {
      allowInsecureConnection: true,
    });
    await table.createEntity({ partitionKey: 'busy', rowKey: '', n: 0 });
    // Someone else always writes between our read and our write.
    const contended = Object.create(table) as TableClient;
    contended.updateEntity = async (entity, mode, options) => {
      await table.updateEntity({ partitionKey: 'busy', rowKey: '', n: Math.random() }, 'Replace');
      return table.updateEntity(entity, mode, options);
    };
    const attempt = updateEntityWithRetry(contended, 'busy', '', (current) => ({ ...current, n: -1 }), {
      what: 'app busy',
      maxAttempts: 3,
    });
    await expect(attempt).rejects.toThrow(ConcurrentUpdateError);
    await expect(attempt).rejects.toThrow(
      'update app busy: still conflicting with concurrent writers after 3 attempts',
    );
  });
});
