// Azurite's Table service, in memory, on a free loopback port: the same embedded Azurite the local host
// runs, so the tests' Table storage is the real thing.
import { startAzuriteTables as startEmbedded } from '../../src/local/azurite.js';

export type { AzuriteTables } from '../../src/local/azurite.js';

export function startAzuriteTables(options: { timeoutMs?: number } = {}) {
  return startEmbedded({ ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) });
}
