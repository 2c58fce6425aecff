// The local engine's instances, history and inbox in Azure Table storage (Azurite on the local
// host), so that a process killed mid-run resumes where it stopped.
import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { type TableStorageConnection, tableClient } from '../../azure/table-client.js';
import { escapeTableKey, unescapeTableKey } from '../../azure/table-keys.js';
import { type RuntimeStatus, TERMINAL_STATUSES } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import type { InboxEvent, InstanceRecord, InstanceStore, StoredInstance } from './instance-store.js';
import { InstanceRunningError } from './limits.js';
import {
  batches,
  chunks,
  type Entity,
  historyRows,
  readChunks,
  readHistory,
  reviveEvent,
} from './table-history-rows.js';

const INSTANCE_PARTITION = 'instance';

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
    const existing = await this.instanceRow(partition);
    if (existing && !TERMINAL_STATUSES.includes(existing.runtimeStatus as RuntimeStatus))
      throw new InstanceRunningError(record.instanceId, String(existing.runtimeStatus));
    // Create only if absent, replace only the finished row just read: of two processes, one wins.
    try {
      if (existing)
        await this.instances.updateEntity(instanceEntity(record, 0), 'Replace', {
          etag: existing.etag as string,
        });
      else await this.instances.createEntity(instanceEntity(record, 0));
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))
        throw new InstanceRunningError(record.instanceId, 'being started by another engine');
      throw error;
    }
    // Old history rows need no deleting: a length of 0 hides them and the next commits overwrite them.
    await this.clearInbox(partition);
  }

  private async instanceRow(partition: string): Promise<Entity | undefined> {
    try {
      return await this.instances.getEntity<Entity>(INSTANCE_PARTITION, partition);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async load(instanceId: string): Promise<StoredInstance | undefined> {
    const partition = escapeTableKey(instanceId);
    const row = await this.instanceRow(partition);
    if (!row) return undefined;
    const length = Number(row.historyLength ?? 0);
    const rows: Entity[] = [];
    if (length > 0) {
      for await (const entity of this.history.listEntities<Entity>({
        queryOptions: { filter: `PartitionKey eq '${partition}'` },
      })) {
        rows.push(entity);
      }
    }
    const history = readHistory(rows, length, instanceId);
    const inbox: InboxEvent[] = [];
    for await (const entity of this.inbox.listEntities<Entity>({
      queryOptions: { filter: `PartitionKey eq '${partition}'` },
    })) {
      const event = reviveEvent(JSON.parse(readChunks(entity, 'event')!));
      inbox.push({ key: unescapeTableKey(entity.rowKey), event });
    }
    inbox.sort((a, b) => new Date(a.event.Timestamp).getTime() - new Date(b.event.Timestamp).getTime());
    return { record: recordFromEntity(row), history, inbox };
  }

  async commit(
    record: InstanceRecord,
    fromIndex: number,
    events: readonly HistoryEvent[],
    _played: readonly string[],
  ): Promise<void> {
    const partition = escapeTableKey(record.instanceId);
    // History rows first, then the record that makes them count: a crash in between leaves rows past the length, ignored.
    const rows = historyRows(partition, fromIndex, events);
    if (rows.length === 1) await this.history.upsertEntity(rows[0]!, 'Replace');
    else
      for (const batch of batches(rows))
        await this.history.submitTransaction(
          batch.map((row): TransactionAction => ['upsert', row, 'Replace']),
        );
    await this.instances.upsertEntity(instanceEntity(record, fromIndex + events.length), 'Replace');
    // Played events stay in the inbox until the instance ends (one request then, not one per episode):
    // the engine skips events the history already holds.
    if (TERMINAL_STATUSES.includes(record.runtimeStatus)) await this.clearInbox(partition);
  }

  /** Deletes the inbox partition: one query, then one transaction per 100 rows (one by one if a row is gone). */
  private async clearInbox(partition: string): Promise<void> {
    const keys: string[] = [];
    for await (const entity of this.inbox.listEntities<Entity>({
      queryOptions: { filter: `PartitionKey eq '${partition}'`, select: ['RowKey'] },
    })) {
      keys.push(entity.rowKey);
    }
    for (const batch of batches(keys.map((rowKey) => ({ partitionKey: partition, rowKey })))) {
      try {
        await this.inbox.submitTransaction(batch.map((row): TransactionAction => ['delete', row]));
      } catch {
        for (const row of batch) await this.deleteIfPresent(this.inbox, partition, row.rowKey);
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
