// Pages of runs from a store that can only list everything (the in-memory store): filtered, newest first,
// the token being the offset. The Table-backed index (run-index.ts) pages in the store itself.
import type { RunQuery } from '../../core/orchestrations.js';
import type { InstanceRecord, InstanceStore } from './instance-store.js';

export interface RecordPage {
  readonly records: InstanceRecord[];
  readonly continuationToken?: string;
}

/** A store that pages runs itself, newest first. */
export interface PagingInstanceStore extends InstanceStore {
  listPage(query: RunQuery): Promise<RecordPage>;
}

export function canPage(store: InstanceStore): store is PagingInstanceStore {
  return typeof (store as Partial<PagingInstanceStore>).listPage === 'function';
}

/** One page from `store`: its own paging where it has one, else from its whole list. */
export async function pageOfRuns(store: InstanceStore, query: RunQuery): Promise<RecordPage> {
  if (canPage(store)) return store.listPage(query);
  const offset = query.continuationToken === undefined ? 0 : Number(query.continuationToken);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new Error(`continuation token '${query.continuationToken}' is not one this store gave`);
  const matching = (await store.list())
    .filter((record) => matchesRunQuery(record, query))
    .sort((a, b) => b.createdTime.localeCompare(a.createdTime));
  const end = offset + query.pageSize;
  return {
    records: matching.slice(offset, end),
    ...(end < matching.length && { continuationToken: String(end) }),
  };
}

export function matchesRunQuery(record: InstanceRecord, query: RunQuery): boolean {
  const created = Date.parse(record.createdTime);
  return (
    (!query.runtimeStatus || query.runtimeStatus.includes(record.runtimeStatus)) &&
    (query.name === undefined || record.name === query.name) &&
    (!query.createdFrom || created >= query.createdFrom.getTime()) &&
    (!query.createdTo || created < query.createdTo.getTime())
  );
}
