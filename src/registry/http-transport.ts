// One HTTP exchange over node:http / node:https, no retries (http.ts decides those): a keep-alive pool
// per origin, a deadline for the headers and an idle limit on the body. node:http rather than undici:
// undici's HTTP/1 parser runs in WebAssembly and copies every body chunk into it, which cost a copy
// 2.7× the CPU per byte received (bench/download.ts); node:http's parser hands the socket's buffers on.
// A large body GET marked `bulk` (a blob) goes to bulk-get.ts instead, which reads it at a fraction of
// node:http's CPU, under the same per-host bound on connections.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { finished } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import { bulkGet } from './bulk-get.js';
import { type Answer, type ConnectOptions, type Exchange, TransportTimeoutError } from './exchange.js';
import type { HttpHeaders } from './headers.js';
import { IdleTimer } from './idle-timer.js';

export interface TransportOptions {
  /** Connections open at once to one origin; further requests wait for one to be free. */
  readonly connectionsPerHost: number;
  /** An idle pooled connection is closed after this many ms. */
  readonly keepAliveMs: number;
  readonly connect?: ConnectOptions;
}

export class HttpTransport {
  private readonly plain: http.Agent;
  private readonly secure: https.Agent;
  /** Bulk GETs bypass the agents: they hold a slot of their own per host, up to the same bound. */
  private readonly bulkSlots = new Map<string, LimitFunction>();

  constructor(private readonly options: TransportOptions) {
    const pool = { keepAlive: true, maxSockets: options.connectionsPerHost, timeout: options.keepAliveMs };
    this.plain = new http.Agent({
      ...pool,
      ...(options.connect?.lookup && { lookup: options.connect.lookup }),
    });
    this.secure = new https.Agent({ ...pool, ...options.connect });
  }

  /** Sends one request and resolves with the response once its headers arrive; the body streams after. */
  send(exchange: Exchange): Promise<Answer> {
    if (exchange.bulk && exchange.method === 'GET' && exchange.body === undefined)
      return this.sendBulk(exchange);
    const url = new URL(exchange.url);
    const { host } = url;
    const agent = url.protocol === 'https:' ? this.secure : this.plain;
    const send = url.protocol === 'https:' ? https.request : http.request;
    const headers = { ...exchange.headers };
    const body = exchange.body;
    const stream = typeof body === 'object' && !Buffer.isBuffer(body) ? body : undefined;
    const whole = stream ? undefined : (body as Buffer | string | undefined);
    if (whole !== undefined && headers['content-length'] === undefined) {
      headers['content-length'] = String(Buffer.byteLength(whole));
    }
    return new Promise<Answer>((resolve, reject) => {
      const req = send(url, { method: exchange.method, headers, agent });
      let socket: Socket | undefined;
      let response: http.IncomingMessage | undefined;
      // From the moment the exchange has a connection (a request waiting for one of the host's
      // connectionsPerHost is not timed): the deadline for the headers, then the idle limit on the body.
      const timer = new IdleTimer(
        exchange.timeoutMs,
        () => {
          if (response) {
            response.destroy(new TransportTimeoutError('BODY_TIMEOUT', host, exchange.timeoutMs));
          } else {
            const code = socket?.connecting ? 'CONNECT_TIMEOUT' : 'HEADERS_TIMEOUT';
            req.destroy(new TransportTimeoutError(code, host, exchange.timeoutMs));
          }
        },
        () => response !== undefined && response.readableLength >= response.readableHighWaterMark,
      );
      const refresh = timer.touch;
      req.once('socket', (assigned: Socket) => {
        socket = assigned;
        timer.start();
      });
      req.once('error', (error) => {
        timer.stop();
        reject(error);
      });
      req.once('response', (res) => {
        response = res;
        refresh();
        stream?.off('data', refresh);
        const reading = socket;
        reading?.on('data', refresh);
        const finished = () => {
          timer.stop();
          reading?.off('data', refresh);
        };
        res.once('end', finished);
        res.once('close', finished);
        // After the headers, a broken connection is the body's error, which its reader sees.
        req.on('error', () => undefined);
        resolve({ status: res.statusCode ?? 0, headers: headersOf(res), body: res });
      });
      if (stream) {
        // A body that fails fails the request with its own error; each chunk sent restarts the headers deadline.
        stream.on('data', refresh);
        stream.once('error', (error) => req.destroy(error));
        stream.pipe(req);
      } else req.end(whole);
    });
  }

  /** A bulk GET (bulk-get.ts), holding one of its host's slots until its body is read or dropped. */
  private sendBulk(exchange: Exchange): Promise<Answer> {
    const { host } = new URL(exchange.url);
    let slots = this.bulkSlots.get(host);
    if (!slots) {
      slots = pLimit(this.options.connectionsPerHost);
      this.bulkSlots.set(host, slots);
    }
    return new Promise<Answer>((resolve, reject) => {
      void slots(async () => {
        try {
          const answer = await bulkGet(exchange, this.options.connect);
          resolve(answer);
          // finished() also answers for a body that ended or failed before it was asked.
          await new Promise((done) => finished(answer.body, () => done(undefined)));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Closes every pooled connection. */
  close(): void {
    this.plain.destroy();
    this.secure.destroy();
  }
}

/** Header names in lower case; a header sent once is a string, one sent several times an array (as undici gave them). */
function headersOf(res: http.IncomingMessage): HttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(res.headersDistinct)) {
    if (values !== undefined) headers[name] = values.length === 1 ? values[0]! : values;
  }
  return headers;
}
