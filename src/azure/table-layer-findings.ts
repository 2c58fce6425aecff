// Layer and image findings in a Table of their own (`<prefix>layers`): one row per layer digest, and one
// per image manifest digest with what its layers add up to, each as gzipped JSON split over binary
// properties (64 KiB each, at most 15 to stay under the 1 MiB entity). Content named by a digest never
// changes, so rows are only inserted, never updated; the partitions carry FINDINGS_VERSION, so rows an
// older reader wrote are not read.

import { gunzipSync, gzipSync } from 'node:zlib';
import { RestError, type TableClient } from '@azure/data-tables';
import {
  FINDINGS_VERSION,
  type ImageFindings,
  type ImageFindingsCache,
  type LayerFindings,
  type LayerFindingsCache,
} from '../core/layer-findings.js';
import { DEFAULT_TABLE_PREFIX } from './state-store.js';
import { type TableStorageConnection, tableClient } from './table-client.js';

const PART_BYTES = 64 * 1024;
const MAX_PARTS = 15;
const LAYERS = `layer-v${FINDINGS_VERSION}`;
const IMAGES = `image-v${FINDINGS_VERSION}`;

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

type Row = Record<string, unknown>;

export class TableLayerFindings implements LayerFindingsCache, ImageFindingsCache {
  constructor(private readonly table: TableClient) {}

  get(layerDigest: string): Promise<LayerFindings | undefined> {
    return this.read<LayerFindings>(LAYERS, layerDigest);
  }

  put(layerDigest: string, findings: LayerFindings): Promise<void> {
    return this.insert(LAYERS, layerDigest, findings);
  }

  getImage(manifestDigest: string): Promise<ImageFindings | undefined> {
    return this.read<ImageFindings>(IMAGES, manifestDigest);
  }

  putImage(manifestDigest: string, findings: ImageFindings): Promise<void> {
    return this.insert(IMAGES, manifestDigest, findings);
  }

  private async read<T>(partition: string, digest: string): Promise<T | undefined> {
    try {
      return unpack<T>(await this.table.getEntity<Row>(partition, rowKey(digest)));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  private async insert(partition: string, digest: string, value: unknown): Promise<void> {
    const packed = gzipSync(JSON.stringify(value));
    const parts = Math.ceil(packed.length / PART_BYTES);
    // Findings too large for one row are not cached; they are worked out again next time.
    if (parts > MAX_PARTS) return;
    const entity: Record<string, unknown> = { partitionKey: partition, rowKey: rowKey(digest), parts };
    for (let i = 0; i < parts; i++) entity[`p${i}`] = packed.subarray(i * PART_BYTES, (i + 1) * PART_BYTES);
    try {
      await this.table.createEntity(entity as { partitionKey: string; rowKey: string });
    } catch (error) {
      // Someone put the same digest first: its findings are the same, since the digest names the content.
      if (error instanceof RestError && error.statusCode === 409) return;
      throw error;
    }
  }
}

/** The value a row holds, or undefined when the row is damaged (it is then worked out again). */
function unpack<T>(row: Row): T | undefined {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < Number(row.parts); i++) {
    const part = row[`p${i}`];
    if (!(part instanceof Uint8Array)) return undefined;
    parts.push(part);
  }
  try {
    return JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `sha256:ab…` → `sha256_ab…`: a digest has no character a key forbids but ':' reads better replaced. */
function rowKey(digest: string): string {
  if (!/^[a-z0-9]+:[a-f0-9]{32,128}$/.test(digest)) throw new Error(`'${digest}' is not a digest`);
  return digest.replace(':', '_');
}
