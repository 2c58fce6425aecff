import { describe, expect, it } from 'vitest';
import { EventType, type HistoryEvent, historyEvent } from '../../src/local/durable/history.js';
import {
  chunks,
  type Entity,
  historyRowKey,
  historyRows,
  readHistory,
} from '../../src/local/durable/table-history-rows.js';

const AT = new Date('2026-01-01T00:00:00Z');
const scheduled = (id: number, input = 'x'): HistoryEvent =>
  historyEvent(EventType.TaskScheduled, AT, { Name: 'step', Input: input }, id);

describe('history rows in Table storage', () => {
  it('one commit is one row, keyed by the index of its first event', () => {
    const rows = historyRows('p', 3, [scheduled(0), scheduled(1)]);
    expect(rows.map((row) => row.rowKey)).toEqual([historyRowKey(3)]);
  });

  it('a commit too large for one entity is split over rows that read back in order', () => {
    const events = Array.from({ length: 40 }, (_, n) => scheduled(n, 'y'.repeat(20_000)));
    const rows = historyRows('p', 0, events);
    expect(rows.length).toBeGreaterThan(1);
    expect(readHistory(rows, 40, 'i').map((event) => event.EventId)).toEqual(events.map((e) => e.EventId));
    expect(readHistory(rows, 40, 'i')[0]?.Timestamp).toEqual(AT);
  });

  it('rows a crash left past the recorded length, or off the path from 0, are not read', () => {
    const committed = historyRows('p', 0, [scheduled(0), scheduled(1)]);
    const crashed = historyRows('p', 2, [scheduled(7), scheduled(8), scheduled(9)]);
    const stray = historyRows('p', 3, [scheduled(99)]);
    const redone = historyRows('p', 2, [scheduled(2)]);
    expect(readHistory([...committed, ...crashed, ...stray], 2, 'i').map((e) => e.EventId)).toEqual([0, 1]);
    expect(readHistory([...committed, ...stray, ...redone], 3, 'i').map((e) => e.EventId)).toEqual([0, 1, 2]);
  });

  it('reads the earlier layout of one event per row', () => {
    const rows: Entity[] = [scheduled(0), scheduled(1)].map((event, index) => ({
      partitionKey: 'p',
      rowKey: historyRowKey(index),
      ...chunks('event', JSON.stringify(event)),
    }));
    expect(readHistory(rows, 2, 'i').map((event) => event.EventId)).toEqual([0, 1]);
  });

  it('a missing row is an error that names the instance', () => {
    expect(() => readHistory([], 1, 'sync:x')).toThrow(/history of 'sync:x' has no row at event 0 of 1/);
  });
});
