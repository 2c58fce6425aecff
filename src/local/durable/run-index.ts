// The local engine's runs indexed newest first in a table of their own (`<hub>Runs`), so the operator
// API reads one page of runs per request with Table storage's continuation instead of every instance.
// A decorator over the instance store keeps it up to date: a row when a run is created and whenever its
// status changes; gone when the run is purged.
import { odata, RestError, type TableClient } from '@azure/data-tables';
import { type TableStorageConnection, tableClient } from '../../azure/table-client.js';
import { escapeTableKey } from '../../azure/table-keys.js';
import { type RunQuery, type RuntimeStatus, TERMINAL_STATUSES } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import type { InboxEvent, InstanceRecord, InstanceStore, StoredInstance } from './instance-store.js';
import type { PagingInstanceStore, RecordPage } from './run-pages.js';

const BY_CREATED = 'created';
const BY_ID = 'id';
// Past the largest Date: created times sort newest first as fixed-width text.
const LATEST_MS = 8_640_000_000_000_000;

interface RunRow {
  partitionKey: string;
  rowKey: string;
  instanceId: string;
  name: string;
  runtimeStatus: string;
  createdTime: string;
  lastUpdatedTime: string;
  parentInstanceId?: string;
}

export class IndexedInstanceStore implements PagingInstanceStore {
  /** The status each unfinished run was last indexed with: an episode that keeps it writes nothing. */
  private readonly indexedStatus = new Map<string, RuntimeStatus>();

  private constructor(
    private readonly store: InstanceStore,
    private readonly runs: TableClient,
  ) {}

  /**
   * Opens `<hub>Runs` beside the store's tables and brings it up to date with what the store holds: the
   * index is written after the store, so a kill in between leaves a run unlisted or listed with the
   * status it had before (a finished run shown Running for good; chaos seed 7 found it).
   */
  static async open(
    store: InstanceStore,
    connection: TableStorageConnection,
    hub = 'basewatch',
  ): Promise<IndexedInstanceStore> {
    const indexed = new IndexedInstanceStore(store, tableClient(connection, `${hub}Runs`));
    await indexed.runs.createTable();
    const listed = new Map<string, string>();
    for await (const row of indexed.runs.listEntities<RunRow>({
      queryOptions: { filter: odata`PartitionKey eq ${BY_CREATED}`, select: ['instanceId', 'runtimeStatus'] },
    }))
      listed.set(row.instanceId, row.runtimeStatus);
    for (const record of await store.list())
      if (listed.get(record.instanceId) !== record.runtimeStatus) await indexed.index(record);
    return indexed;
  }

  async create(record: InstanceRecord): Promise<void> {
    await this.store.create(record);
    await this.index(record);
  }

  load(instanceId: string): Promise<StoredInstance | undefined> {
    return this.store.load(instanceId);
  }

  async commit(
    record: InstanceRecord,
    fromIndex: number,
    events: readonly HistoryEvent[],
    played: readonly string[],
  ): Promise<void> {
    await this.store.commit(record, fromIndex, events, played);
    // Episodes that keep the status change nothing the list shows but the update time: not indexed.
    if (this.indexedStatus.get(record.instanceId) !== record.runtimeStatus) await this.indexStatus(record);
  }

  deliver(instanceId: string, item: InboxEvent): Promise<void> {
    return this.store.deliver(instanceId, item);
  }

  list(): Promise<InstanceRecord[]> {
    return this.store.list();
  }

  async delete(instanceId: string): Promise<void> {
    await this.store.delete(instanceId);
    this.indexedStatus.delete(instanceId);
    const id = escapeTableKey(instanceId);
    const known = await this.idRow(id);
    if (known) await this.deleteIfPresent(BY_CREATED, String(known.createdKey));
    await this.deleteIfPresent(BY_ID, id);
  }

  async listPage(query: RunQuery): Promise<RecordPage> {
    const page = await this.runs
      .listEntities<RunRow>({ queryOptions: { filter: runFilter(query) } })
      .byPage({
        maxPageSize: query.pageSize,
        ...(query.continuationToken !== undefined && { continuationToken: query.continuationToken }),
      })
      .next();
    if (page.done) return { records: [] };
    const records = page.value.map(
      (row): InstanceRecord => ({
        instanceId: row.instanceId,
        name: row.name,
        runtimeStatus: row.runtimeStatus as RuntimeStatus,
        createdTime: row.createdTime,
        lastUpdatedTime: row.lastUpdatedTime,
        ...(row.parentInstanceId !== undefined && { parentInstanceId: row.parentInstanceId }),
      }),
    );
    const token = page.value.continuationToken;
    return { records, ...(token && { continuationToken: token }) };
  }

  /** A run created (or created again): its row, the row that finds it by id, and an older run's row gone. */
  private async index(record: InstanceRecord): Promise<void> {
    const id = escapeTableKey(record.instanceId);
    const createdKey = createdKeyOf(record);
    const known = await this.idRow(id);
    // A finished instance started again under its id is a new run: its old row goes.
    if (known && known.createdKey !== createdKey)
      await this.deleteIfPresent(BY_CREATED, String(known.createdKey));
    await this.indexStatus(record);
    if (known?.createdKey !== createdKey)
      await this.runs.upsertEntity({ partitionKey: BY_ID, rowKey: id, createdKey }, 'Replace');
  }

  /**
   * A run's new status, in its row alone: a commit never changes the created time the row's key comes
   * from (only create does, and open repairs what a kill in create left), so the id row need not be read.
   */
  private async indexStatus(record: InstanceRecord): Promise<void> {
    const row: RunRow = {
      partitionKey: BY_CREATED,
      rowKey: createdKeyOf(record),
      instanceId: record.instanceId,
      name: record.name,
      runtimeStatus: record.runtimeStatus,
      createdTime: record.createdTime,
      lastUpdatedTime: record.lastUpdatedTime,
      ...(record.parentInstanceId !== undefined && { parentInstanceId: record.parentInstanceId }),
    };
    await this.runs.upsertEntity(row, 'Replace');
    if (TERMINAL_STATUSES.includes(record.runtimeStatus)) this.indexedStatus.delete(record.instanceId);
    else this.indexedStatus.set(record.instanceId, record.runtimeStatus);
  }

  private async idRow(id: string): Promise<{ createdKey?: unknown } | undefined> {
    try {
      return await this.runs.getEntity<{ createdKey?: string }>(BY_ID, id);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  private async deleteIfPresent(partition: string, row: string): Promise<void> {
    try {
      await this.runs.deleteEntity(partition, row);
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404)) throw error;
    }
  }
}

/** Newest first as text: the time left until the largest Date, fixed width, then the id. */
function createdKeyOf(record: InstanceRecord): string {
  return `${String(LATEST_MS - Date.parse(record.createdTime)).padStart(16, '0')}|${escapeTableKey(record.instanceId)}`;
}

/** The query's conditions as an OData filter on the index partition (values escaped by `odata`). */
function runFilter(query: RunQuery): string {
  const parts = [odata`PartitionKey eq ${BY_CREATED}`];
  if (query.runtimeStatus && query.runtimeStatus.length > 0)
    parts.push(`(${query.runtimeStatus.map((status) => odata`runtimeStatus eq ${status}`).join(' or ')})`);
  if (query.name !== undefined) parts.push(odata`name eq ${query.name}`);
  if (query.createdFrom) parts.push(odata`createdTime ge ${query.createdFrom.toISOString()}`);
  if (query.createdTo) parts.push(odata`createdTime lt ${query.createdTo.toISOString()}`);
  return parts.join(' and ');
}
