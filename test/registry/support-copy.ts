// Helpers the copy, rebase and layout tests share that test/support does not offer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { HttpClient } from '../../src/registry/http.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import type { LoggedRequest, TestRegistry } from '../support/registry.js';
import { type SkopeoCredentials, skopeoCopy } from '../support/skopeo.js';

/** A client whose retries wait milliseconds, not seconds. */
export function quickClient(credentials?: SkopeoCredentials): DistributionClient {
  return new DistributionClient({
    http: new HttpClient({ baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000 }),
    ...(credentials && { credentials: () => credentials }),
  });
}

export function registryStore(
  host: string,
  client = quickClient(),
  uploadChunkBytes?: number,
): RegistryStore {
  return new RegistryStore({ client, registry: host, ...(uploadChunkBytes && { uploadChunkBytes }) });
}

/** Digests of the blobs whose upload the registry completed (PUT …?digest=), in log order. */
export function uploadedDigests(requests: readonly LoggedRequest[]): string[] {
  return requests
    .filter((r) => r.method === 'PUT' && r.uri.includes('/blobs/uploads/') && r.status === 201)
    .map((r) => new URL(r.uri, 'http://x').searchParams.get('digest') ?? '');
}

export async function loggedRequests(registry: TestRegistry): Promise<LoggedRequest[]> {
  await registry.settled();
  return registry.requests();
}

/**
 * `skopeo copy --all` out of `ref` into a scratch layout: skopeo verifies every digest it reads, so
 * this proves an independent client accepts what we wrote.
 */
export async function skopeoReadsAll(ref: string, credentials?: SkopeoCredentials): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-skopeo-'));
  try {
    await skopeoCopy(ref, `oci:${dir}:check`, { all: true, ...(credentials && { srcCreds: credentials }) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function scratchDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `basewatch-${prefix}-`));
}
