// The HTTP/1.1 message pieces the bulk GET needs (RFC 9112), strict where a lenient reading would let a
// hostile server smuggle a second answer: a request head, a response head, how its body is framed, and
// a chunked body decoded. Pure functions over bytes; the connection lives in bulk-get.ts.
import http from 'node:http';
import type { HttpHeaders } from './headers.js';

/** A response that is not well-formed HTTP/1.1, or larger than its bounds. */
export class BadResponseError extends Error {
  readonly code = 'BAD_RESPONSE';

  constructor(host: string, what: string) {
    super(`malformed HTTP response from ${host}: ${what}`);
    this.name = 'BadResponseError';
  }
}

/** As node:http's default: a response head larger than this is refused. */
export const MAX_HEAD_BYTES = http.maxHeaderSize;

/**
 * `GET /path?query HTTP/1.1` with Host, the given headers and `connection: close`. Names and values are
 * checked as node:http checks them, so a CR or LF in a value cannot start a second request.
 */
export function requestHead(method: string, url: URL, headers: Record<string, string>): string {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host' || lower === 'connection') continue;
    http.validateHeaderName(name);
    http.validateHeaderValue(name, value);
    lines.push(`${name}: ${value}`);
  }
  lines.push('connection: close', '', '');
  return lines.join('\r\n');
}

/** How the body after a head ends: after `length` bytes, at the last chunk, or when the server closes. */
export type BodyFraming = { readonly length: number } | 'chunked' | 'close';

export interface ResponseHead {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly framing: BodyFraming;
}

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: [^\r\n]*)?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Where the head ends (the index after its blank line), or -1 while it is incomplete. */
export function headEnd(bytes: Buffer): number {
  const at = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  return at < 0 ? -1 : at + 4;
}

/** Parses a complete response head (`bytes` up to and including its blank line) for a GET. */
export function parseResponseHead(bytes: Buffer, host: string): ResponseHead {
  const lines = bytes.toString('latin1', 0, bytes.length - 4).split('\r\n');
  const status = STATUS_LINE.exec(lines[0] ?? '');
  if (!status)
    throw new BadResponseError(host, `status line ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    // A line folded onto the one before (obs-fold) or a name with spaces is refused, as llhttp refuses it.
    if (colon <= 0 || !TOKEN.test(name)) throw new BadResponseError(host, 'a header line without a name');
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value))
      throw new BadResponseError(host, `header ${name} holds a control character`);
    const seen = headers[name];
    headers[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  const code = Number(status[1]);
  return { status: code, headers, framing: framingOf(code, headers, host) };
}

/** RFC 9112 §6.3 for a response to GET, refusing the ambiguous cases instead of guessing. */
function framingOf(status: number, headers: HttpHeaders, host: string): BodyFraming {
  if (status < 200 || status === 204 || status === 304) return { length: 0 };
  const encoding = headers['transfer-encoding'];
  const length = headers['content-length'];
  if (encoding !== undefined) {
    // Both at once is how responses are smuggled: refuse it.
    if (length !== undefined) throw new BadResponseError(host, 'both Transfer-Encoding and Content-Length');
    const codings = [encoding]
      .flat()
      .flatMap((value) => value.split(','))
      .map((coding) => coding.trim().toLowerCase());
    return codings.at(-1) === 'chunked' ? 'chunked' : 'close';
  }
  if (length === undefined) return 'close';
  const values = [length].flat().flatMap((value) => value.split(',').map((v) => v.trim()));
  if (!values.every((v) => /^\d{1,15}$/.test(v)) || new Set(values).size !== 1) {
    throw new BadResponseError(host, `Content-Length ${JSON.stringify(values.join(', ').slice(0, 40))}`);
  }
  return { length: Number(values[0]) };
}

const MAX_CHUNK_LINE = 4096;

/**
 * Decodes a chunked body fed in pieces of any size: `feed` returns the data found in a piece (slices of
 * it, not copies) and how much of the piece the body used; `done` once the last chunk and trailers passed.
 */
export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  private line = '';
  private left = 0;
  private trailerBytes = 0;

  constructor(private readonly host: string) {}

  get done(): boolean {
    return this.state === 'done';
  }

  feed(piece: Buffer): { data: Buffer[]; used: number } {
    const data: Buffer[] = [];
    let at = 0;
    while (at < piece.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.left, piece.length - at);
        data.push(piece.subarray(at, at + take));
        at += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      const newline = piece.indexOf(0x0a, at);
      const end = newline < 0 ? piece.length : newline + 1;
      this.line += piece.toString('latin1', at, end);
      at = end;
      if (this.line.length > MAX_CHUNK_LINE) throw new BadResponseError(this.host, 'a chunk line too long');
      if (newline < 0) continue;
      if (!this.line.endsWith('\r\n'))
        throw new BadResponseError(this.host, 'a chunk line not ended by CRLF');
      const line = this.line.slice(0, -2);
      this.line = '';
      this.onLine(line);
    }
    return { data, used: at };
  }

  private onLine(line: string): void {
    if (this.state === 'data-end') {
      if (line !== '') throw new BadResponseError(this.host, 'chunk data longer than its size');
      this.state = 'size';
    } else if (this.state === 'size') {
      const size = /^([0-9a-fA-F]{1,13})[ \t]*(?:;.*)?$/.exec(line);
      if (!size) throw new BadResponseError(this.host, `chunk size ${JSON.stringify(line.slice(0, 20))}`);
      this.left = Number.parseInt(size[1]!, 16);
      this.state = this.left === 0 ? 'trailer' : 'data';
    } else if (line === '') {
      this.state = 'done';
    } else {
      // Trailers are read past, not kept; their size is bounded as a head's is.
      this.trailerBytes += line.length + 2;
      if (this.trailerBytes > MAX_HEAD_BYTES) {
        throw new BadResponseError(this.host, `trailers larger than ${MAX_HEAD_BYTES} bytes`);
      }
    }
  }
}
