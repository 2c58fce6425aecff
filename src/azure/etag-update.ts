// Read–change–write on one Table entity with ETag optimistic concurrency, retried when another writer wins.
import { RestError, type TableClient, type TableEntity, type TableEntityResult } from '@azure/data-tables';
import { ConcurrentUpdateError } from '../core/state.js';

export type Entity = Record<string, unknown>;

export interface EtagUpdateOptions {
  /** Attempts before giving up with ConcurrentUpdateError. */
  readonly maxAttempts?: number;
  /** Names the entity in errors, e.g. "tracked image base/node:20-alpine". */
  readonly what: string;
}

/**
 * Reads the entity (absent → undefined), applies `change`, and writes the result: a create when there
 * was none (409 → someone created it first), else a Replace carrying the ETag read (412 → someone wrote
 * in between). Either conflict re-reads and retries after a short randomised pause.
 */
export async function updateEntityWithRetry(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
  change: (current: Entity | undefined) => Entity,
  options: EtagUpdateOptions,
): Promise<Entity> {
  const maxAttempts = options.maxAttempts ?? 20;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await readEntity(table, partitionKey, rowKey);
    const next: TableEntity<Entity> = { ...change(current?.properties), partitionKey, rowKey };
    try {
      if (current === undefined) await table.createEntity(next);
      else await table.updateEntity(next, 'Replace', { etag: current.etag });
      return next;
    } catch (error) {
      const status = error instanceof RestError ? error.statusCode : undefined;
      if (status !== 409 && status !== 412)
        throw new Error(`update ${options.what}: ${(error as Error).message}`);
      // Random back-off spreads out writers that collided so one of them gets through.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
  throw new ConcurrentUpdateError(options.what, maxAttempts);
}

/** The entity's own properties and ETag, or undefined when there is none. */
export async function readEntity(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<{ properties: Entity; etag: string } | undefined> {
  let result: TableEntityResult<Entity>;
  try {
    result = await table.getEntity<Entity>(partitionKey, rowKey);
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw error;
  }
  return { properties: ownProperties(result), etag: result.etag };
}

/** Drops the keys and the service's metadata (etag, timestamp, odata fields). */
export function ownProperties(entity: Entity): Entity {
  const out: Entity = {};
  for (const [key, value] of Object.entries(entity)) {
    if (['partitionKey', 'rowKey', 'etag', 'timestamp'].includes(key) || key.startsWith('odata')) continue;
    out[key] = value;
  }
  return out;
}
