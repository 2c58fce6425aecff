// Layer findings in a Table of their own (`<prefix>layers`): one row per layer digest, the findings as
// gzipped JSON split over binary properties (64 KiB each, at most 15 to stay under the 1 MiB entity).
// A layer's content never changes, so rows are only inserted, never updated.

import { gunzipSync, gzipSync } from 'node:zlib';
import { RestError, type TableClient } from '@azure/data-tables';
import type { LayerFindings, LayerFindingsCache } from '../core/layer-findings.js';
import { DEFAULT_TABLE_PREFIX } from './state-store.js';
import { type TableStorageConnection, tableClient } from './table-client.js';

const PART_BYTES = 64 * 1024;
const MAX_PARTS = 15;
const PARTITION = 'layer';

export async function openTableLayerFindings(
  connection: TableStorageConnection,
  tablePrefix: string = DEFAULT_TABLE_PREFIX,
): Promise<TableLayerFindings> {
  if (!/^[A-Za-z][A-Za-z0-9]{0,56}$/.test(tablePrefix))
    throw new Error(`table prefix '${tablePrefix}' must be letters and digits, starting with a letter`);
  const client = tableClient(connection, `${tablePrefix}layers`);
  await client.createTable();
  return new TableLayerFindings(client);
}

export class TableLayerFindings implements LayerFindingsCache {
  constructor(private readonly table: TableClient) {}

  async get(layerDigest: string): Promise<LayerFindings | undefined> {
    let entity: Record<string, unknown>;
    try {
      entity = await this.table.getEntity(PARTITION, rowKey(layerDigest));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
    const parts: Uint8Array[] = [];
    for (let i = 0; i < Number(entity.parts); i++) {
      const part = entity[`p${i}`];
      if (!(part instanceof Uint8Array)) return undefined;
      parts.push(part);
    }
    try {
      return JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as LayerFindings;
    } catch {
      // A damaged row is as good as none: the layer is read again and the row left for a later put.
      return undefined;
    }
  }

  async put(layerDigest: string, findings: LayerFindings): Promise<void> {
    const packed = gzipSync(JSON.stringify(findings));
    const parts = Math.ceil(packed.length / PART_BYTES);
    // Findings too large for one row are not cached; the layer is read again next time.
    if (parts > MAX_PARTS) return;
    const entity: Record<string, unknown> = { partitionKey: PARTITION, rowKey: rowKey(layerDigest), parts };
    for (let i = 0; i < parts; i++) entity[`p${i}`] = packed.subarray(i * PART_BYTES, (i + 1) * PART_BYTES);
    try {
      await this.table.createEntity(entity as { partitionKey: string; rowKey: string });
    } catch (error) {
      // Someone put the same layer first: its findings are the same, since the digest names the content.
      if (error instanceof RestError && error.statusCode === 409) return;
      throw error;
    }
  }
}

/** `sha256:ab…` → `sha256_ab…`: a digest has no character a key forbids but ':' reads better replaced. */
function rowKey(digest: string): string {
  if (!/^[a-z0-9]+:[a-f0-9]{32,128}$/.test(digest)) throw new Error(`'${digest}' is not a layer digest`);
  return digest.replace(':', '_');
}
