// One HTTP exchange as the transports take and answer it: what is sent, what comes back, the options
// for every connection, and the one error for a limit passed. node:http carries most exchanges
// (http-transport.ts); a large body GET is read off its own connection (bulk-get.ts).
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import type { HttpHeaders } from './headers.js';

/** TLS and socket options for every connection: a private CA, a client certificate, a test's name resolution. */
export type ConnectOptions = Pick<
  ConnectionOptions,
  'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'
> & { readonly lookup?: LookupFunction };

export interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer | string | Readable;
  /** Until the headers arrive (from the request's start or its body's last chunk), and between body chunks. */
  readonly timeoutMs: number;
  /** A large body to GET (a blob): read off a connection of its own, see bulk-get.ts. */
  readonly bulk?: boolean;
}

export interface Answer {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: Readable;
}

/** A connection that was not made, an answer that did not come, or a body that stopped, in time. */
export class TransportTimeoutError extends Error {
  constructor(
    readonly code: 'CONNECT_TIMEOUT' | 'HEADERS_TIMEOUT' | 'BODY_TIMEOUT',
    host: string,
    ms: number,
  ) {
    const what = {
      CONNECT_TIMEOUT: 'no connection',
      HEADERS_TIMEOUT: 'no response headers',
      BODY_TIMEOUT: 'no response body bytes',
    }[code];
    super(`${what} from ${host} within ${ms} ms`);
    this.name = 'TransportTimeoutError';
  }
}
