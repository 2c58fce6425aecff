// The local engine's instances, history and inbox in Azure Table storage (Azurite on the local
// host), so that a process killed mid-run resumes where it stopped.
import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { type TableStorageConnection, tableClient } from '../../azure/table-client.js';
import { escapeTableKey, unescapeTableKey } from '../../azure/table-keys.js';
import type { RuntimeStatus } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import type { InboxEvent, InstanceRecord, InstanceStore, StoredInstance } from './instance-store.js';

/** A Table string property holds 64 KiB of UTF-16; longer JSON is split over numbered properties. */
const CHUNK_CHARS = 30_000;
const INSTANCE_PARTITION = 'instance';
/** A Table transaction takes at most 100 operations and 4 MiB; stay well under both. */
const BATCH_ROWS = 100;
const BATCH_CHARS = 1_000_000;

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

export class TableInstanceStore implements InstanceStore {
  private constructor(
    private readonly instances: TableClient,
    private readonly history: TableClient,
    private readonly inbox: TableClient,
  ) {}

  /** Opens (creating if need be) the tables `<hub>Instances`, `<hub>History` and `<hub>Inbox`. */
  static async open(connection: TableStorageConnection, hub = 'basewatch'): Promise<TableInstanceStore> {
    if (!/^[A-Za-z][A-Za-z0-9]{0,48}$/.test(hub))
      throw new Error(`task hub '${hub}' must be letters and digits`);
    const client = (name: string) => tableClient(connection, name);
    const store = new TableInstanceStore(
      client(`${hub}Instances`),
      client(`${hub}History`),
      client(`${hub}Inbox`),
    );
    await Promise.all([
      store.instances.createTable(),
      store.history.createTable(),
      store.inbox.createTable(),
    ]);
    return store;
  }

  async create(record: InstanceRecord): Promise<void> {
    const partition = escapeTableKey(record.instanceId);
    await this.deletePartition(this.history, partition);
    await this.deletePartition(this.inbox, partition);
    await this.instances.upsertEntity(instanceEntity(record, 0), 'Replace');
  }

  async load(instanceId: string): Promise<StoredInstance | undefined> {
    const partition = escapeTableKey(instanceId);
    let row: Entity;
    try {
      row = await this.instances.getEntity<Entity>(INSTANCE_PARTITION, partition);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
    const length = Number(row.historyLength ?? 0);
    const history: HistoryEvent[] = [];
    for await (const entity of this.history.listEntities<Entity>({
      queryOptions: { filter: `PartitionKey eq '${partition}'` },
    })) {
      const index = Number(entity.rowKey);
      if (index < length) history[index] = reviveEvent(readChunks(entity, 'event')!);
    }
    const inbox: InboxEvent[] = [];
    for await (const entity of this.inbox.listEntities<Entity>({
      queryOptions: { filter: `PartitionKey eq '${partition}'` },
    })) {
      inbox.push({ key: unescapeTableKey(entity.rowKey), event: reviveEvent(readChunks(entity, 'event')!) });
    }
    inbox.sort((a, b) => new Date(a.event.Timestamp).getTime() - new Date(b.event.Timestamp).getTime());
    return { record: recordFromEntity(row), history, inbox };
  }

  async commit(
    record: InstanceRecord,
    fromIndex: number,
    events: readonly HistoryEvent[],
    played: readonly string[],
  ): Promise<void> {
    const partition = escapeTableKey(record.instanceId);
    // History rows first, then the record that makes them count: a crash in between leaves rows past the length, ignored.
    const rows = events.map((event, offset) => ({
      partitionKey: partition,
      rowKey: String(fromIndex + offset).padStart(8, '0'),
      ...chunks('event', JSON.stringify(event)),
    }));
    for (const batch of batches(rows)) {
      await this.history.submitTransaction(batch.map((row): TransactionAction => ['upsert', row, 'Replace']));
    }
    await this.instances.upsertEntity(instanceEntity(record, fromIndex + events.length), 'Replace');
    await this.deletePlayed(partition, played.map(escapeTableKey));
  }

  /** One transaction per 100 rows; one by one when that fails (a row already gone fails the whole transaction). */
  private async deletePlayed(partition: string, keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += BATCH_ROWS) {
      const slice = keys.slice(start, start + BATCH_ROWS);
      try {
        await this.inbox.submitTransaction(
          slice.map((rowKey): TransactionAction => ['delete', { partitionKey: partition, rowKey }]),
        );
      } catch {
        for (const key of slice) await this.deleteIfPresent(this.inbox, partition, key);
      }
    }
  }

  async deliver(instanceId: string, item: InboxEvent): Promise<void> {
    await this.inbox.upsertEntity(
      {
        partitionKey: escapeTableKey(instanceId),
        rowKey: escapeTableKey(item.key),
        ...chunks('event', JSON.stringify(item.event)),
      },
      'Replace',
    );
  }

  async list(): Promise<InstanceRecord[]> {
    const records: InstanceRecord[] = [];
    for await (const entity of this.instances.listEntities<Entity>({
      queryOptions: { filter: `PartitionKey eq '${INSTANCE_PARTITION}'` },
    })) {
      records.push(recordFromEntity(entity));
    }
    return records;
  }

  async delete(instanceId: string): Promise<void> {
    const partition = escapeTableKey(instanceId);
    await this.deletePartition(this.history, partition);
    await this.deletePartition(this.inbox, partition);
    await this.deleteIfPresent(this.instances, INSTANCE_PARTITION, partition);
  }

  private async deletePartition(table: TableClient, partition: string): Promise<void> {
    const keys: string[] = [];
    for await (const entity of table.listEntities<Entity>({
      queryOptions: { filter: `PartitionKey eq '${partition}'`, select: ['RowKey'] },
    })) {
      keys.push(entity.rowKey);
    }
    for (const key of keys) await this.deleteIfPresent(table, partition, key);
  }

  private async deleteIfPresent(table: TableClient, partition: string, row: string): Promise<void> {
    try {
      await table.deleteEntity(partition, row);
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw error;
    }
  }
}

/** Rows in groups a single Table transaction accepts. */
function batches<T extends Record<string, unknown>>(rows: readonly T[]): T[][] {
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

function chunks(name: string, text: string): Record<string, string | number> {
  const out: Record<string, string | number> = {
    [`${name}Chunks`]: Math.ceil(text.length / CHUNK_CHARS) || 1,
  };
  for (let i = 0; i * CHUNK_CHARS < text.length || i === 0; i++)
    out[`${name}${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  return out;
}

function readChunks(entity: Record<string, unknown>, name: string): string | undefined {
  const count = entity[`${name}Chunks`];
  if (typeof count !== 'number') return undefined;
  let text = '';
  for (let i = 0; i < count; i++) text += String(entity[`${name}${i}`] ?? '');
  return text;
}

function reviveEvent(text: string): HistoryEvent {
  const event = JSON.parse(text) as HistoryEvent & { FireAt?: string };
  return {
    ...event,
    Timestamp: new Date(event.Timestamp),
    ...(event.FireAt !== undefined && { FireAt: new Date(event.FireAt) }),
  };
}

function instanceEntity(record: InstanceRecord, historyLength: number): Entity {
  const optional = (name: string, value: string | undefined) =>
    value === undefined ? {} : chunks(name, value);
  return {
    partitionKey: INSTANCE_PARTITION,
    rowKey: escapeTableKey(record.instanceId),
    name: record.name,
    runtimeStatus: record.runtimeStatus,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
    historyLength,
    ...optional('input', record.input),
    ...optional('output', record.output),
    ...optional('customStatus', record.customStatus),
    ...(record.parentInstanceId !== undefined && { parentInstanceId: record.parentInstanceId }),
    ...(record.parentTaskId !== undefined && { parentTaskId: record.parentTaskId }),
  };
}

function recordFromEntity(entity: Entity): InstanceRecord {
  const input = readChunks(entity, 'input');
  const output = readChunks(entity, 'output');
  const customStatus = readChunks(entity, 'customStatus');
  return {
    instanceId: unescapeTableKey(entity.rowKey),
    name: String(entity.name),
    runtimeStatus: entity.runtimeStatus as RuntimeStatus,
    createdTime: String(entity.createdTime),
    lastUpdatedTime: String(entity.lastUpdatedTime),
    ...(input !== undefined && { input }),
    ...(output !== undefined && { output }),
    ...(customStatus !== undefined && { customStatus }),
    ...(typeof entity.parentInstanceId === 'string' && { parentInstanceId: entity.parentInstanceId }),
    ...(typeof entity.parentTaskId === 'number' && { parentTaskId: entity.parentTaskId }),
  };
}
