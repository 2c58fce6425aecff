// The StateStore on Azure Table storage (Azurite locally): one table for tracked images, one for apps.
import { RestError, type TableClient } from '@azure/data-tables';
import type {
  AppState,
  ImageHistoryEntry,
  RebuildResult,
  StateStore,
  TrackedImageState,
} from '../core/state.js';
import { type Entity, ownProperties, readEntity, updateEntityWithRetry } from './etag-update.js';
import { type TableStorageConnection, tableClient } from './table-client.js';
import { escapeTableKey } from './table-keys.js';

export type { TableStorageConnection };

/** Tables `<prefix>images` and `<prefix>apps`; a prefix keeps several deployments apart in one account. */
export const DEFAULT_TABLE_PREFIX = 'basewatch';

/** Opens (and creates if need be) the state tables. Plain-HTTP endpoints (Azurite) are allowed. */
export async function openTableStateStore(
  connection: TableStorageConnection,
  tablePrefix: string = DEFAULT_TABLE_PREFIX,
): Promise<TableStateStore> {
  if (!/^[A-Za-z][A-Za-z0-9]{0,56}$/.test(tablePrefix)) {
    throw new Error(`table prefix '${tablePrefix}' must be letters and digits, starting with a letter`);
  }
  const client = (name: string) => tableClient(connection, name);
  const store = new TableStateStore(client(`${tablePrefix}images`), client(`${tablePrefix}apps`));
  await store.createTables();
  return store;
}

// Images: PartitionKey = repository, RowKey = tag (or @digest). Apps: PartitionKey = name, RowKey empty.
export class TableStateStore implements StateStore {
  constructor(
    private readonly images: TableClient,
    private readonly apps: TableClient,
  ) {}

  async createTables(): Promise<void> {
    // createTable succeeds when the table already exists.
    await Promise.all([this.images.createTable(), this.apps.createTable()]);
  }

  async getImage(target: string): Promise<TrackedImageState | undefined> {
    const [pk, rk] = imageKeys(target);
    const found = await readEntity(this.images, pk, rk);
    return found && imageFromEntity(found.properties);
  }

  async listImages(): Promise<TrackedImageState[]> {
    const out: TrackedImageState[] = [];
    for await (const entity of this.images.listEntities<Entity>())
      out.push(imageFromEntity(ownProperties(entity)));
    return out.sort((a, b) => compare(a.target, b.target));
  }

  async updateImage(
    target: string,
    change: (current: TrackedImageState | undefined) => TrackedImageState,
  ): Promise<TrackedImageState> {
    const [pk, rk] = imageKeys(target);
    const written = await updateEntityWithRetry(
      this.images,
      pk,
      rk,
      (current) => {
        const next = change(current && imageFromEntity(current));
        if (next.target !== target)
          throw new Error(`update tracked image ${target}: change renamed it to ${next.target}`);
        return imageToEntity(next);
      },
      { what: `tracked image ${target}` },
    );
    return imageFromEntity(written);
  }

  async markChecked(target: string, at: string): Promise<boolean> {
    const [pk, rk] = imageKeys(target);
    try {
      // A Merge of one property with If-Match: * — one request where read–change–write takes two; a
      // concurrent writer's other fields stay as it wrote them.
      await this.images.updateEntity({ partitionKey: pk, rowKey: rk, lastChecked: at }, 'Merge');
      return true;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return false;
      throw new Error(`record the check of tracked image ${target}: ${(error as Error).message}`);
    }
  }

  async deleteImage(target: string): Promise<void> {
    const [pk, rk] = imageKeys(target);
    await deleteIfPresent(this.images, pk, rk);
  }

  async getApp(name: string): Promise<AppState | undefined> {
    const found = await readEntity(this.apps, escapeTableKey(name), '');
    return found && appFromEntity(found.properties);
  }

  async listApps(): Promise<AppState[]> {
    const out: AppState[] = [];
    for await (const entity of this.apps.listEntities<Entity>())
      out.push(appFromEntity(ownProperties(entity)));
    return out.sort((a, b) => compare(a.name, b.name));
  }

  async updateApp(name: string, change: (current: AppState | undefined) => AppState): Promise<AppState> {
    const written = await updateEntityWithRetry(
      this.apps,
      escapeTableKey(name),
      '',
      (current) => {
        const next = change(current && appFromEntity(current));
        if (next.name !== name) throw new Error(`update app ${name}: change renamed it to ${next.name}`);
        return appToEntity(next);
      },
      { what: `app ${name}` },
    );
    return appFromEntity(written);
  }

  async deleteApp(name: string): Promise<void> {
    await deleteIfPresent(this.apps, escapeTableKey(name), '');
  }
}

/** `base/node:20-alpine` → [`base%2Fnode`, `20-alpine`]; a digest stays in the RowKey with its `@`. */
function imageKeys(target: string): [string, string] {
  const at = target.indexOf('@');
  const name = at >= 0 ? target.slice(0, at) : target;
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const selector = (hasTag ? name.slice(colon + 1) : '') + (at >= 0 ? target.slice(at) : '');
  return [escapeTableKey(repository), escapeTableKey(selector)];
}

async function deleteIfPresent(table: TableClient, pk: string, rk: string): Promise<void> {
  try {
    await table.deleteEntity(pk, rk);
  } catch (error) {
    if (!(error instanceof RestError && error.statusCode === 404)) throw error;
  }
}

const IMAGE_FIELDS = [
  'lastUpstreamDigest',
  'importedDigest',
  'importedFrom',
  'lastChecked',
  'lastChanged',
  'lastError',
] as const;

// Table storage has no nested objects: the gate's records are JSON strings.
const IMAGE_JSON_FIELDS = ['quarantined', 'rejected', 'pinned', 'history'] as const;

function imageToEntity(image: TrackedImageState): Entity {
  const entity: Entity = { source: image.source, target: image.target };
  for (const field of IMAGE_FIELDS) if (image[field] !== undefined) entity[field] = image[field];
  if (image.lastError !== undefined) entity.lastError = bounded(image.lastError);
  const gate = { ...image, ...(image.history && { history: boundedHistory(image.history) }) };
  for (const field of IMAGE_JSON_FIELDS)
    if (gate[field] !== undefined) entity[field] = JSON.stringify(gate[field]);
  return entity;
}

// One string property holds 32 K UTF-16 characters: long reasons are cut, then the oldest entries dropped.
const MAX_HISTORY_CHARS = 30_000;
const MAX_HISTORY_REASON = 500;
function boundedHistory(history: readonly ImageHistoryEntry[]): ImageHistoryEntry[] {
  const cut = (text: string | undefined) =>
    text === undefined || text.length <= MAX_HISTORY_REASON
      ? text
      : `${text.slice(0, MAX_HISTORY_REASON - 1)}…`;
  const entries = history.map((entry) => ({
    ...entry,
    ...(entry.reason !== undefined && { reason: cut(entry.reason) }),
    ...(entry.checks && {
      checks: entry.checks.map((check) => ({
        ...check,
        ...(check.reason !== undefined && { reason: cut(check.reason) }),
        ...(check.detail !== undefined && { detail: cut(check.detail) }),
      })),
    }),
  }));
  while (entries.length > 1 && JSON.stringify(entries).length > MAX_HISTORY_CHARS) entries.pop();
  return entries;
}

// A Table string property holds at most 64 KiB; error texts from registries can be longer.
const MAX_TEXT = 8000;
function bounded(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}

function imageFromEntity(entity: Entity): TrackedImageState {
  const image: Record<string, unknown> = { source: String(entity.source), target: String(entity.target) };
  for (const field of IMAGE_FIELDS) if (typeof entity[field] === 'string') image[field] = entity[field];
  for (const field of IMAGE_JSON_FIELDS)
    if (typeof entity[field] === 'string') image[field] = JSON.parse(entity[field]);
  return image as unknown as TrackedImageState;
}

// Table storage has no arrays or nested objects: bases are JSON, the last rebuild is flattened.
function appToEntity(app: AppState): Entity {
  const entity: Entity = {
    name: app.name,
    image: app.image,
    team: app.team,
    bases: JSON.stringify(app.bases),
  };
  const last = app.lastRebuild;
  if (last) {
    entity.lastRebuildBaseDigest = last.baseDigest;
    entity.lastRebuildResult = last.result;
    entity.lastRebuildTime = last.time;
    if (last.runId !== undefined) entity.lastRebuildRunId = last.runId;
    if (last.reason !== undefined) entity.lastRebuildReason = bounded(last.reason);
  }
  return entity;
}

function appFromEntity(entity: Entity): AppState {
  const app: AppState = {
    name: String(entity.name),
    image: String(entity.image),
    team: String(entity.team),
    bases: JSON.parse(String(entity.bases ?? '[]')) as string[],
  };
  if (typeof entity.lastRebuildResult !== 'string') return app;
  return {
    ...app,
    lastRebuild: {
      baseDigest: String(entity.lastRebuildBaseDigest),
      result: entity.lastRebuildResult as RebuildResult,
      time: String(entity.lastRebuildTime),
      ...(typeof entity.lastRebuildRunId === 'string' && { runId: entity.lastRebuildRunId }),
      ...(typeof entity.lastRebuildReason === 'string' && { reason: entity.lastRebuildReason }),
    },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
