// Azurite's Table service, in memory, on a free loopback port: the same embedded Azurite the local host
// runs, so the tests' Table storage is the real thing.
export { type AzuriteTables, startAzuriteTables } from '../../src/local/azurite.js';
