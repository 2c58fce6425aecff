// Azurite's Table service, in this process, on a loopback port: the local host's Table storage, kept under
// the data directory (or in memory), and the tests' real Table storage. In-process so that it can never
// outlive basewatch: an orphaned Azurite would keep writing its stale copy over the next run's files.
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { freePort } from './free-port.js';
import { JournaledDatabase, type JournaledLoki } from './journaled-database.js';
import { serializeQuickly } from './table-snapshot.js';

// Azurite's well-known development account (public and documented; not a secret).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
/** Azurite's own file name for its table database. */
const DATABASE_FILE = '__azurite_db_table__.json';

export interface AzuriteTables {
  /** For TableClient.fromConnectionString (plain HTTP on loopback). */
  readonly connectionString: string;
  readonly endpoint: string;
  /** Closes the server and saves the database (the journal then holds nothing to replay). */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Directory for Azurite's files; absent: in memory, gone when it stops. */
  readonly location?: string;
  /** Where a failed background save of the database is reported. */
  readonly logger?: Logger;
}

interface TableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Azurite's own fields (JavaScript-public): the HTTP server and the store over the Loki database. */
  readonly httpServer: Server;
  readonly metadataStore: MetadataStore;
}

/** Azurite's LokiTableMetadataStore: the methods wrapped here. */
interface MetadataStore {
  readonly db: JournaledLoki & { serialize(): string };
  /** Loads the database file (Loki's loadDatabase), adds the system collections, saves; before the server listens. */
  init(): Promise<void>;
  /** The save init makes after loading. */
  saveDBState(): Promise<void>;
  close(): Promise<void>;
  beginBatchTransaction(batchId: string): Promise<void>;
  endBatchTransaction(...args: unknown[]): Promise<void>;
}

// Azurite ships no typings for its programmatic entry; these are the two classes its own main.js uses.
const require = createRequire(import.meta.url);
const TableConfiguration = require('azurite/dist/src/table/TableConfiguration').default as new (
  ...args: unknown[]
) => object;
const TableServerClass = require('azurite/dist/src/table/TableServer').default as new (
  config: object,
) => TableServer;

export async function startAzuriteTables(options: AzuriteOptions = {}): Promise<AzuriteTables> {
  if (options.location) await mkdir(options.location, { recursive: true });
  const port = await freePort();
  const config = new TableConfiguration(
    '127.0.0.1',
    port,
    undefined,
    join(options.location ?? '.', DATABASE_FILE),
    false, // debug log
    false, // access log
    undefined,
    undefined,
    false, // loose
    true, // skip the API version check: the SDK may be newer than this Azurite
    '',
    '',
    '',
    undefined,
    false,
    options.location === undefined, // in memory
  );
  const server = new TableServerClass(config);
  if (options.location !== undefined) journalWrites(server, options.location, options.logger);
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Azurite (Table storage) could not start on 127.0.0.1:${port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${endpoint};`,
    stop: () => {
      stopped ??= server.close();
      return stopped;
    },
  };
}

/**
 * Azurite keeps tables in memory and saves them every 5 s, so a kill -9 loses up to 5 s of writes it had
 * acknowledged: a 202 for a run that then never existed, a finished run that comes back Running. Azure
 * answers a write once it is stored; so does this: every change is journaled (JournaledDatabase) and every
 * answer waits until the journal holds the changes made before it. Reads wait too, so no answer shows a
 * change a kill could still lose. A journal that cannot be written drops the connection, so the client
 * sees the write unacknowledged rather than acknowledged and lost.
 */
function journalWrites(server: TableServer, location: string, logger: Logger | undefined): void {
  const store = server.metadataStore;
  const { db } = store;
  db.serialize = () => serializeQuickly(db);
  let journaled: JournaledDatabase | undefined;
  // Init saves what it has just loaded, a whole serialization of the database for nothing: the journal
  // holds every change since the last save, and the system collections init adds are added at every start.
  store.saveDBState = async () => {};
  const init = store.init.bind(store);
  store.init = async () => {
    await init();
    journaled = await JournaledDatabase.open(db, {
      dir: location,
      databaseFile: join(location, DATABASE_FILE),
      ...(logger && { logger }),
    });
  };
  const close = store.close.bind(store);
  store.close = async () => {
    await journaled?.close();
    await close();
  };
  // A batch transaction is journaled as one line: after a kill it is there whole or not at all, as in Azure.
  const begin = store.beginBatchTransaction.bind(store);
  store.beginBatchTransaction = async (batchId) => {
    await begin(batchId);
    journaled?.beginBatch();
  };
  const end = store.endBatchTransaction.bind(store);
  store.endBatchTransaction = async (...args) => {
    try {
      await end(...args);
    } finally {
      journaled?.endBatch();
    }
  };

  const { httpServer } = server;
  const handlers = httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  httpServer.removeAllListeners('request');
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const answer = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      (journaled?.durable() ?? Promise.resolve()).then(
        () => answer(...args),
        (error: unknown) => res.destroy(error as Error),
      );
      return res;
    }) as ServerResponse['end'];
    for (const handle of handlers) handle(req, res);
  });
}
