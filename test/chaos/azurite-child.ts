// Azurite on disk in a process of its own, for tests that kill it with SIGKILL: prints its connection
// string on a line of its own, then serves until it is killed.
import { startAzuriteTables } from '../../src/local/azurite.js';

const location = process.argv[2];
if (!location) throw new Error('usage: azurite-child.ts <data directory>');
const azurite = await startAzuriteTables({ location });
process.stdout.write(`${azurite.connectionString}\n`);
