// The gate's records in Table storage (Azurite): they round-trip, a cleared field is gone, and a long
// history fits one entity property by cutting reasons and dropping the oldest entries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTableStateStore, type TableStateStore } from '../../src/azure/state-store.js';
import { HISTORY_LIMIT, type ImageHistoryEntry } from '../../src/core/state.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';

let azurite: AzuriteTables;
let store: TableStateStore;

beforeAll(async () => {
  azurite = await startAzuriteTables();
  store = await openTableStateStore({ connectionString: azurite.connectionString }, 'gatestate');
});
afterAll(async () => {
  await azurite?.stop();
});

const digest = `sha256:${'a'.repeat(64)}`;

describe('gate records in Table storage', () => {
  it('round-trip pin, rejection and quarantine, and a cleared pin is gone', async () => {
    const pinned = {
      digest,
      at: '2026-11-30T00:00:00.000Z',
      by: 'operator' as const,
      reason: 'release week',
    };
    const rejected = {
      digest,
      upstreamDigest: `sha256:${'b'.repeat(64)}`,
      at: '2026-11-30T00:00:00.000Z',
      check: 'maxGrowth 25%',
      reason: 'linux/amd64 grew 40.0%',
    };
    await store.updateImage('base/rt:1', () => ({
      source: 'docker.io/library/rt:1',
      target: 'base/rt:1',
      pinned,
      rejected,
      quarantined: { digest, upstreamDigest: digest, at: '2026-11-30T00:00:00.000Z' },
    }));
    expect(await store.getImage('base/rt:1')).toMatchObject({ pinned, rejected, quarantined: { digest } });
    await store.updateImage('base/rt:1', (current) => {
      const { pinned: _gone, ...rest } = current!;
      return rest;
    });
    expect((await store.getImage('base/rt:1'))?.pinned).toBeUndefined();
  });

  it('keeps a long history within one property: reasons cut to 500 characters, the oldest dropped', async () => {
    const entry = (n: number): ImageHistoryEntry => ({
      kind: 'rejected',
      at: `2026-11-30T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
      by: 'cycle',
      digest,
      reason: `${n}:${'r'.repeat(3000)}`,
      checks: [{ check: 'webhook https://ci.example/v', passed: false, reason: 'x'.repeat(3000) }],
    });
    const history = Array.from({ length: HISTORY_LIMIT }, (_, n) => entry(n));
    await store.updateImage('base/long:1', () => ({
      source: 'docker.io/library/long:1',
      target: 'base/long:1',
      history,
    }));
    const read = (await store.getImage('base/long:1'))!.history!;
    expect(read[0]!.reason).toHaveLength(500);
    expect(read[0]!.reason!.startsWith('0:rrr')).toBe(true);
    expect(read[0]!.reason!.endsWith('…')).toBe(true);
    expect(read[0]!.checks![0]!.reason).toHaveLength(500);
    expect(JSON.stringify(read).length).toBeLessThanOrEqual(30_000);
    expect(read.length).toBeLessThan(HISTORY_LIMIT);
    // Newest first survives; what was dropped is the oldest.
    expect(read.map((e) => e.reason!.split(':')[0])).toEqual(read.map((_, n) => String(n)));
  });
});

describe('a push by someone else', () => {
  it('is a move in the history, by push; the copy announced again adds nothing', async () => {
    const { recordImport } = await import('../../src/workflows/activities/record-import.js');
    const deps = { state: store } as unknown as Parameters<typeof recordImport>[0];
    const [a, b] = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];
    const key = { source: 'docker.io/library/pushed:1', target: 'base/pushed:1' };
    await recordImport(deps, { ...key, importedDigest: a, importedFrom: a });
    await recordImport(deps, { ...key, importedDigest: b, at: '2026-11-30T02:00:00.000Z', runId: 'sync:x' });
    await recordImport(deps, { ...key, importedDigest: b, at: '2026-11-30T02:00:05.000Z', runId: 'sync:y' });
    const image = await store.getImage('base/pushed:1');
    expect(image?.importedFrom).toBeUndefined();
    expect(image?.history).toEqual([
      {
        kind: 'promoted',
        at: '2026-11-30T02:00:00.000Z',
        by: 'push',
        digest: b,
        previousDigest: a,
        runId: 'sync:x',
      },
    ]);
  });
});
