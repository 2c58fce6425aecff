// How the Table instance store lays out events: one row per commit (split when large), keyed by the index
// of its first event. Loading walks the rows from index 0, so rows a crash left past the recorded length,
// or off that path, are never read. Rows of one event (the earlier layout) read the same way.
import type { HistoryEvent } from './history.js';

/** A Table string property holds 64 KiB of UTF-16; longer JSON is split over numbered properties. */
const CHUNK_CHARS = 30_000;
/** An entity holds at most 1 MiB: stay well under it. */
const ROW_CHARS = 300_000;
/** A Table transaction takes at most 100 operations and 4 MiB. */
const BATCH_ROWS = 100;
const BATCH_CHARS = 1_000_000;

export type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

export function historyRowKey(index: number): string {
  return String(index).padStart(8, '0');
}

/** The rows for `events`, the first of which lands at `fromIndex`. */
export function historyRows(partition: string, fromIndex: number, events: readonly HistoryEvent[]): Entity[] {
  const rows: Entity[] = [];
  let texts: string[] = [];
  let chars = 0;
  let start = fromIndex;
  const flush = () => {
    rows.push({ partitionKey: partition, rowKey: historyRowKey(start), ...chunks('events', `[${texts}]`) });
    start += texts.length;
    texts = [];
    chars = 0;
  };
  for (const event of events) {
    const text = JSON.stringify(event);
    if (texts.length > 0 && chars + text.length > ROW_CHARS) flush();
    texts.push(text);
    chars += text.length;
  }
  if (texts.length > 0) flush();
  return rows;
}

/** The first `length` events, following the rows from index 0. */
export function readHistory(rows: readonly Entity[], length: number, instanceId: string): HistoryEvent[] {
  const byKey = new Map(rows.map((row) => [row.rowKey, row]));
  const history: HistoryEvent[] = [];
  while (history.length < length) {
    const row = byKey.get(historyRowKey(history.length));
    if (!row)
      throw new Error(`history of '${instanceId}' has no row at event ${history.length} of ${length}`);
    const many = readChunks(row, 'events');
    const events =
      many !== undefined ? (JSON.parse(many) as unknown[]) : [JSON.parse(readChunks(row, 'event')!)];
    for (const event of events) history.push(reviveEvent(event));
  }
  history.length = length;
  return history;
}

/** Rows in groups a single Table transaction accepts. */
export function batches<T extends Record<string, unknown>>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const row of rows) {
    const size = JSON.stringify(row).length;
    if (current.length > 0 && (current.length === BATCH_ROWS || chars + size > BATCH_CHARS)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(row);
    chars += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export function chunks(name: string, text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {
    [`${name}Chunks`]: Math.ceil(text.length / CHUNK_CHARS) || 1,
  };
  for (let i = 0; i * CHUNK_CHARS < text.length || i === 0; i++)
    out[`${name}${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return out;
}

export function readChunks(entity: Record<string, unknown>, name: string): string | undefined {
  const count = entity[`${name}Chunks`];
  if (typeof count !== 'number') return undefined;
  let text = '';
  for (let i = 0; i < count; i++) text += String(entity[`${name}${i}`] ?? '');
  return text;
}

export function reviveEvent(parsed: unknown): HistoryEvent {
  const event = parsed as HistoryEvent & { FireAt?: string };
  return {
    ...event,
    Timestamp: new Date(event.Timestamp),
    ...(event.FireAt !== undefined && { FireAt: new Date(event.FireAt) }),
  };
}
