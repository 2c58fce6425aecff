// What Table storage serves in this process: every request Azurite's Table service answers, seen on
// Node's own diagnostics channel for HTTP servers (nothing in the host is wrapped), and the rows its
// tables hold, counted through the Table API.
import { type Channel, channel } from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { TableClient, TableServiceClient } from '@azure/data-tables';

/** Azurite's well-known development account (public and documented; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface TableRequests {
  readonly total: number;
  /** POST $batch: one request, any number of operations in one transaction. */
  readonly batches: number;
  readonly byMethod: Readonly<Record<string, number>>;
}

export class TableMeter {
  private port: number | undefined;
  private total = 0;
  private batches = 0;
  private byMethod: Record<string, number> = {};
  private readonly serverRequests: Channel = channel('http.server.request.start');
  private readonly onRequest = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    // Azurite serves its Table API under the account's name; nothing else in this process does.
    if (!request.url?.startsWith(`/${ACCOUNT}`)) return;
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    const method = request.method ?? 'GET';
    this.total++;
    this.byMethod[method] = (this.byMethod[method] ?? 0) + 1;
    if (request.url.includes('$batch')) this.batches++;
  };

  start(): this {
    this.serverRequests.subscribe(this.onRequest);
    return this;
  }

  stop(): void {
    this.serverRequests.unsubscribe(this.onRequest);
  }

  /** Requests served since the last reset. */
  read(): TableRequests {
    return { total: this.total, batches: this.batches, byMethod: { ...this.byMethod } };
  }

  reset(): void {
    this.total = 0;
    this.batches = 0;
    this.byMethod = {};
  }

  /** Rows in every table, by table (the listing's own requests are not counted). */
  async rows(): Promise<Record<string, number>> {
    if (this.port === undefined) throw new Error('no Table request seen yet: which Azurite is it?');
    const endpoint = `http://127.0.0.1:${this.port}/${ACCOUNT}`;
    const connection = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${endpoint};`;
    const options = { allowInsecureConnection: true };
    const before = this.read();
    const counts: Record<string, number> = {};
    for await (const table of TableServiceClient.fromConnectionString(connection, options).listTables()) {
      const client = TableClient.fromConnectionString(connection, table.name!, options);
      let rows = 0;
      for await (const _ of client.listEntities({ queryOptions: { select: ['PartitionKey'] } })) rows++;
      counts[table.name!] = rows;
    }
    this.total = before.total;
    this.batches = before.batches;
    this.byMethod = { ...before.byMethod };
    return counts;
  }
}
