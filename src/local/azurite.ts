// Azurite's Table service, in this process, on a loopback port: the local host's Table storage, kept under
// the data directory (or in memory), and the tests' real Table storage. In-process so that it can never
// outlive basewatch: an orphaned Azurite would keep writing its stale copy over the next run's files.
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort } from './free-port.js';

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
  /** Closes the server and writes the database. */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Directory for Azurite's files; absent: in memory, gone when it stops. */
  readonly location?: string;
}

interface TableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Azurite's own fields (JavaScript-public): the HTTP server and the Loki database behind it. */
  readonly httpServer: Server;
  readonly metadataStore: { readonly db: LokiDatabase };
}

interface LokiDatabase {
  /** Writes the whole database (to a temporary file, then renamed); calls made during a save share the next one. */
  saveDatabase(done: (error?: unknown) => void): void;
  /** The text a save writes. */
  serialize(): string;
  collections: object[];
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
  if (options.location !== undefined) answerWritesOnceSaved(server);
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

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Azurite keeps tables in memory and saves them every 5 s, so a kill -9 loses up to 5 s of writes it had
 * acknowledged: a 202 for a run that then never existed, a finished run that comes back Running. Azure
 * answers a write once it is stored; so does this: the answer to every write waits for a save of the
 * database that includes it (concurrent writes share one save). A save that fails drops the connection,
 * so the client sees the write unacknowledged rather than acknowledged and lost.
 */
function answerWritesOnceSaved(server: TableServer): void {
  const { httpServer } = server;
  const { db } = server.metadataStore;
  db.serialize = () => serializeQuickly(db);
  const handlers = httpServer.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  httpServer.removeAllListeners('request');
  const saved = () =>
    new Promise<void>((resolve, reject) =>
      server.metadataStore.db.saveDatabase((error) => (error ? reject(error) : resolve())),
    );
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!READS.has(req.method ?? 'GET')) {
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        saved().then(
          () => end(...args),
          (error: unknown) => res.destroy(error as Error),
        );
        return res;
      }) as ServerResponse['end'];
    }
    for (const handle of handlers) handle(req, res);
  });
}

/**
 * The text Loki's own serialize writes (its replacer blanks the same fields), in a third of the time:
 * Loki hands every key of every entity to a replacer function, which dominates a save of a large
 * database, while this blanks those fields on shallow copies of the database and its collections.
 * (Loki's replacer also blanked entity properties that happen to be named like them; this does not.)
 */
function serializeQuickly(db: LokiDatabase): string {
  const top: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(db)) {
    if (key === 'throttledSavePending' || key === 'throttledCallbacks') continue;
    top[key] = BLANKED_ON_DATABASE.has(key) ? null : value;
  }
  top.collections = db.collections.map((collection) =>
    Object.fromEntries(
      Object.entries(collection).map(([key, value]) => [key, BLANKED_ON_COLLECTION.has(key) ? null : value]),
    ),
  );
  return JSON.stringify(top);
}

const BLANKED_ON_DATABASE = new Set(['autosaveHandle', 'persistenceAdapter', 'lokiConsoleWrapper']);
const BLANKED_ON_COLLECTION = new Set(['constraints', 'ttl']);
