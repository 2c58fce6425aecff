// A large body (a blob) GET over a connection of its own, read with `onread` into blocks this module
// hands out, instead of through node:http. node:http reads every 64 KiB into fresh memory and runs each
// piece through its parser and a stream: receiving 100 MiB on loopback cost 0.25–0.35 s of CPU, against
// 0.04–0.10 s read this way (bench/README "Start-up and copy as a process"). The head is parsed here
// (http1.ts, strict); the body is framed by Content-Length, chunks, or the server closing. One request per
// connection (`connection: close`): a blob is large enough that a new connection costs little beside it.
import net, { type Socket } from 'node:net';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { type Answer, type ConnectOptions, type Exchange, TransportTimeoutError } from './exchange.js';
import {
  BadResponseError,
  type BodyFraming,
  ChunkedDecoder,
  headEnd,
  MAX_HEAD_BYTES,
  parseResponseHead,
  type ResponseHead,
  requestHead,
} from './http1.js';
import { IdleTimer } from './idle-timer.js';

/**
 * Reads land in blocks of this size; a block is never written twice, so a piece handed on stays as it was.
 * A block lives until every piece of it is collected, so the size trades memory against CPU: with 1 MiB
 * blocks `basewatch diff` (4 layers at once) peaked at 155–161 MiB against 105 MiB through node:http, with
 * 512 KiB at 139–140 MiB and 256 KiB at 105 MiB; a copy took the same CPU at 1 MiB and 512 KiB, and 12%
 * more at 256 KiB (ad-hoc A/B, 2026-11-30).
 */
const BLOCK_BYTES = 512 * 1024;
/** A block with less room than this left is replaced: reads stay large. */
const MIN_READ_BYTES = 128 * 1024;

/** Sends `exchange` (a GET without a body) and resolves once the response head has arrived. */
export function bulkGet(exchange: Exchange, connect: ConnectOptions = {}): Promise<Answer> {
  const url = new URL(exchange.url);
  const { host } = url;
  // An IPv6 literal is bracketed in a URL (`[::1]`), bare to a socket.
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const head = requestHead('GET', url, exchange.headers);
  return new Promise<Answer>((resolve, reject) => {
    let block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
    let used = 0;
    const nextBuffer = () => {
      if (block.length - used < MIN_READ_BYTES) {
        block = Buffer.allocUnsafeSlow(BLOCK_BYTES);
        used = 0;
      }
      return block.subarray(used);
    };
    let received: ((piece: Buffer) => void) | undefined;
    const onread = {
      buffer: nextBuffer,
      callback: (bytes: number, buffer: Uint8Array): boolean => {
        used += bytes;
        timer.touch();
        try {
          received?.(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
        } catch (error) {
          fail(error as Error);
        }
        // Reading goes on; a reader that is behind pauses the socket itself (BulkBody.deliver).
        return true;
      },
    };
    const socket: Socket =
      url.protocol === 'https:'
        ? tls.connect({
            ...connect,
            host: hostname,
            port: Number(url.port || 443),
            servername: connect.servername ?? (net.isIP(hostname) ? undefined : hostname),
            onread,
          } as tls.ConnectionOptions)
        : net.connect({
            host: hostname,
            port: Number(url.port || 80),
            ...(connect.lookup && { lookup: connect.lookup }),
            onread,
          });

    let body: BulkBody | undefined;
    let done = false;
    const timer = new IdleTimer(
      exchange.timeoutMs,
      () => {
        const code = body ? 'BODY_TIMEOUT' : socket.connecting ? 'CONNECT_TIMEOUT' : 'HEADERS_TIMEOUT';
        fail(new TransportTimeoutError(code, host, exchange.timeoutMs));
      },
      () => body !== undefined && body.readableLength >= body.readableHighWaterMark,
    );
    timer.start();

    const finish = () => {
      done = true;
      timer.stop();
      received = undefined;
      socket.destroy();
    };
    const fail = (error: Error) => {
      if (done) return;
      finish();
      if (body) body.destroy(error);
      else reject(error);
    };
    const cut = (what: string) =>
      Object.assign(new Error(`${host} closed the connection ${what}`), { code: 'ECONNRESET' });
    socket.on('error', fail);
    socket.write(head);

    // The head, possibly spread over reads; the rest of the read that ends it is the body's start.
    let headBytes: Buffer = Buffer.alloc(0);
    let parsed: ResponseHead | undefined;
    received = (piece) => {
      headBytes = headBytes.length === 0 ? piece : Buffer.concat([headBytes, piece]);
      const end = headEnd(headBytes);
      if ((end < 0 ? headBytes.length : end) > MAX_HEAD_BYTES) {
        throw new BadResponseError(host, `a head larger than ${MAX_HEAD_BYTES} bytes`);
      }
      if (end < 0) return;
      parsed = parseResponseHead(headBytes.subarray(0, end), host);
      const rest = headBytes.subarray(end);
      headBytes = Buffer.alloc(0);
      // An interim answer (100 Continue, 103 Early Hints) is followed by the real one.
      if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) {
        if (rest.length > 0) received?.(rest);
        return;
      }
      if (parsed.status === 101) throw new BadResponseError(host, 'a protocol switch answering a GET');
      body = new BulkBody(socket, finish);
      // A body that fails before its reader has attached (in the read that brought the head) keeps the
      // error for the reader to meet (`errored`); without a listener now it would be thrown as uncaught.
      body.on('error', () => undefined);
      received = bodyReader(parsed.framing, body, host, finish);
      resolve({ status: parsed.status, headers: parsed.headers, body });
      received(rest);
    };
    socket.once('end', () => {
      if (!body) fail(cut('before answering'));
      else if (received && parsed?.framing === 'close') {
        finish();
        body.push(null);
      } else fail(cut("before the body's end"));
    });
  });
}

/** What each read after the head does with its bytes, until the framing says the body is whole. */
function bodyReader(
  framing: BodyFraming,
  body: BulkBody,
  host: string,
  finish: () => void,
): (piece: Buffer) => void {
  const end = () => {
    finish();
    body.push(null);
  };
  if (framing === 'close') return (piece) => body.deliver(piece);
  if (framing === 'chunked') {
    const decoder = new ChunkedDecoder(host);
    return (piece) => {
      for (const data of decoder.feed(piece).data) body.deliver(data);
      if (decoder.done) end();
    };
  }
  let left = framing.length;
  return (piece) => {
    const data = piece.length > left ? piece.subarray(0, left) : piece;
    left -= data.length;
    if (data.length > 0) body.deliver(data);
    if (left === 0) end();
  };
}

/** The body as a stream: a reader that falls behind stops the socket's reads until it catches up. */
class BulkBody extends Readable {
  constructor(
    private readonly socket: Socket,
    /** Stops the exchange: its timer, its reads, its connection. */
    private readonly stop: () => void,
  ) {
    super({ highWaterMark: BLOCK_BYTES });
  }

  deliver(piece: Buffer): void {
    if (piece.length > 0 && !this.push(piece)) this.socket.pause();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.stop();
    done(error);
  }
}
