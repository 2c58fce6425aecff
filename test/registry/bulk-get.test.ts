// The bulk GET (src/registry/bulk-get.ts): a blob's body read off a connection of its own, its head parsed
// by hand. Proved against real servers: node:http(s) for what a registry sends, and a raw TCP server for
// what node:http would never send (split heads, odd framings, smuggling attempts).
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpTransportError } from '../../src/registry/http.js';
import { closeCountedServers, serveCounted } from '../support/counted-server.js';
import { createHostileCert, hostileConnect } from '../support/hostile-names.js';

const rawServers: TcpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of rawServers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await closeCountedServers();
});

/** A blob's URL on a counting node:http(s) server. */
async function serve(
  handler: Parameters<typeof serveCounted>[0],
  server?: Parameters<typeof serveCounted>[1],
) {
  const counted = await serveCounted(handler, server);
  return Object.assign(counted, { url: `${counted.url}app/blobs/sha256:abc` });
}

/** A TCP server that answers every connection with `reply` (written in the pieces given, paced), then waits. */
async function serveRaw(reply: (string | Buffer)[], options: { paceMs?: number; close?: boolean } = {}) {
  const heard: string[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    socket.once('data', async (request) => {
      heard.push(request.toString('latin1'));
      for (const piece of reply) {
        if (socket.destroyed) return;
        socket.write(piece);
        if (options.paceMs) await sleep(options.paceMs);
      }
      if (options.close) socket.end();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rawServers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/app/blobs/x`, heard };
}

const noWait = { sleep: async () => {}, maxAttempts: 1 };

async function readAll(body: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('a bulk GET', () => {
  it('reads a Content-Length body whole and exact, and sends the request node:http would', async () => {
    const blob = randomBytes(5 * 1024 * 1024 + 17);
    const server = await serve((_req, res) => {
      res.setHeader('www-authenticate', ['Bearer realm="a"', 'Basic realm="b"']);
      res.writeHead(200, { 'content-length': String(blob.length), 'docker-content-digest': 'sha256:abc' });
      res.end(blob);
    });
    const http = new HttpClient({ ...noWait, userAgent: 'basewatch-test' });
    const response = await http.request({
      method: 'GET',
      url: `${server.url}?sig=1&x=2`,
      headers: { authorization: 'Bearer t0ken' },
      bulk: true,
    });
    expect(response.status).toBe(200);
    expect(response.headers['docker-content-digest']).toBe('sha256:abc');
    expect(response.headers['www-authenticate']).toEqual(['Bearer realm="a"', 'Basic realm="b"']);
    expect(sha256(await readAll(response.body))).toBe(sha256(blob));
    const [req] = server.requests;
    expect(req?.url).toBe('/v2/app/blobs/sha256:abc?sig=1&x=2');
    expect(req?.headers).toMatchObject({
      host: new URL(server.url).host,
      authorization: 'Bearer t0ken',
      'user-agent': 'basewatch-test',
      connection: 'close',
    });
    await http.close();
  });

  it('decodes a chunked body, with extensions and trailers, fed a byte at a time', async () => {
    const server = await serveRaw(
      [
        ...'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: blob\r\n\r\n'.split(''),
        ...'5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'.split(''),
      ],
      { paceMs: 1 },
    );
    const http = new HttpClient(noWait);
    const response = await http.request({ method: 'GET', url: server.url, bulk: true });
    expect(response.headers['x-kind']).toBe('blob');
    expect((await readAll(response.body)).toString()).toBe('hello, world');
    await http.close();
  });

  it('skips an interim 103 answer and reads a body the server ends by closing', async () => {
    const server = await serveRaw(
      ['HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\n', 'X-A: 1\r\n\r\nall of ', 'it'],
      { close: true, paceMs: 5 },
    );
    const http = new HttpClient(noWait);
    const response = await http.request({ method: 'GET', url: server.url, bulk: true });
    expect(response.status).toBe(200);
    expect((await readAll(response.body)).toString()).toBe('all of it');
    await http.close();
  });

  it('hands a refusal over with its (chunked) body, as node:http does, for the error to be read', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.write('{"errors":[{"code":"BLOB_UNKNOWN",');
      res.end('"message":"blob unknown to registry"}]}');
    });
    const http = new HttpClient(noWait);
    const response = await http.request({ method: 'GET', url: server.url, bulk: true });
    expect(response.status).toBe(404);
    expect(JSON.parse((await readAll(response.body)).toString())).toEqual({
      errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }],
    });
    await http.close();
  });

  it.each([
    ['both Transfer-Encoding and Content-Length', 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n'],
    ['Content-Length "5, 6"', 'Content-Length: 5\r\nContent-Length: 6\r\n'],
    ['Content-Length "-5"', 'Content-Length: -5\r\n'],
    ['a header line without a name', ' folded: onto the status line\r\n'],
  ])('refuses a response with %s (no second answer smuggled in)', async (what, headers) => {
    const server = await serveRaw([`HTTP/1.1 200 OK\r\n${headers}\r\nhello`]);
    const http = new HttpClient(noWait);
    const error = await http.request({ method: 'GET', url: server.url, bulk: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).errorCode).toBe('BAD_RESPONSE');
    expect(((error as Error).cause as Error).message).toBe(
      `malformed HTTP response from ${new URL(server.url).host}: ${what}`,
    );
    await http.close();
  });

  it('refuses a head larger than 16 KiB and a status line that is not HTTP/1.x', async () => {
    const http = new HttpClient(noWait);
    const huge = await serveRaw([`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    const big = await http.request({ method: 'GET', url: huge.url, bulk: true }).catch((e: unknown) => e);
    expect(((big as Error).cause as Error).message).toMatch(/a head larger than 16384 bytes$/);
    const other = await serveRaw(['SSH-2.0-OpenSSH_9.2\r\n\r\n']);
    const ssh = await http.request({ method: 'GET', url: other.url, bulk: true }).catch((e: unknown) => e);
    expect(((ssh as Error).cause as Error).message).toMatch(/: status line "SSH-2\.0-OpenSSH_9\.2"$/);
    await http.close();
  });

  it('refuses to send a header value holding CR LF: no second request reaches the server', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const http = new HttpClient(noWait);
    const error = await http
      .request({
        method: 'GET',
        url: server.url,
        headers: { authorization: 'Bearer x\r\nGET /admin HTTP/1.1' },
        bulk: true,
      })
      .catch((e: unknown) => e);
    expect((error as HttpTransportError).errorCode).toBe('ERR_INVALID_CHAR');
    expect(server.requests).toEqual([]);
    await http.close();
  });

  it('a body cut short fails with ECONNRESET naming the host; a server that closes first, too', async () => {
    const cut = await serveRaw(['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', Buffer.alloc(10)], {
      close: true,
    });
    const http = new HttpClient(noWait);
    const response = await http.request({ method: 'GET', url: cut.url, bulk: true });
    const error = await readAll(response.body).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ECONNRESET');
    expect((error as Error).message).toBe(
      `${new URL(cut.url).host} closed the connection before the body's end`,
    );
    const silent = await serveRaw([], { close: true });
    const none = await http.request({ method: 'GET', url: silent.url, bulk: true }).catch((e: unknown) => e);
    expect((none as HttpTransportError).errorCode).toBe('ECONNRESET');
    await http.close();
  });

  it('times out a server that never answers (HEADERS_TIMEOUT) and a body that stops (BODY_TIMEOUT)', async () => {
    const http = new HttpClient({ ...noWait, timeoutMs: 500 });
    const mute = await serveRaw([]);
    const started = Date.now();
    const headers = await http.request({ method: 'GET', url: mute.url, bulk: true }).catch((e: unknown) => e);
    expect((headers as HttpTransportError).errorCode).toBe('HEADERS_TIMEOUT');
    const stalled = await serveRaw(['HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n', Buffer.alloc(10)]);
    const response = await http.request({ method: 'GET', url: stalled.url, bulk: true });
    const body = await readAll(response.body).catch((e: unknown) => e);
    expect((body as { code?: string }).code).toBe('BODY_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    await http.close();
  });

  it('a reader that is behind holds the socket back: no timeout, and little held in memory', async () => {
    const blob = randomBytes(48 * 1024 * 1024);
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(blob.length) });
      res.end(blob);
    });
    const http = new HttpClient({ ...noWait, timeoutMs: 500 });
    const response = await http.request({ method: 'GET', url: server.url, bulk: true });
    // Nothing read for three times the timeout: the bytes wait in the kernel, not in this process.
    await sleep(1_500);
    expect(response.body.readableLength).toBeLessThanOrEqual(2 * 1024 * 1024);
    let most = 0;
    const hash = createHash('sha256');
    for await (const chunk of response.body) {
      hash.update(chunk as Buffer);
      most = Math.max(most, response.body.readableLength);
    }
    expect(hash.digest('hex')).toBe(sha256(blob));
    expect(most).toBeLessThanOrEqual(2 * 1024 * 1024);
    await http.close();
  });

  it('holds one of its host connectionsPerHost slots until its body is read', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '4' });
      setTimeout(() => res.end('blob'), 100);
    });
    const http = new HttpClient({ ...noWait, connectionsPerHost: 2 });
    const bodies = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const response = await http.request({ method: 'GET', url: server.url, bulk: true });
        return (await readAll(response.body)).toString();
      }),
    );
    expect(bodies).toEqual(['blob', 'blob', 'blob', 'blob', 'blob']);
    expect(server.requests).toHaveLength(5);
    expect(server.mostAtOnce).toBe(2);
    await http.close();
  });

  it('reaches a registry by an IPv6 literal ([::1]) and names it with its brackets in the Host header', async () => {
    const server = createServer((req, res) => res.end(String(req.headers.host)));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const http = new HttpClient(noWait);
      const response = await http.request({ method: 'GET', url: `http://[::1]:${port}/v2/x`, bulk: true });
      expect((await readAll(response.body)).toString()).toBe(`[::1]:${port}`);
      await http.close();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('gives its slot back when the body fails in the very read that brought the head', async () => {
    const server = await serveRaw(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']);
    const http = new HttpClient({ ...noWait, connectionsPerHost: 1 });
    for (let i = 0; i < 2; i++) {
      const response = await http.request({ method: 'GET', url: server.url, bulk: true });
      const error = await readAll(response.body).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/: chunk size "zz"$/);
    }
    await http.close();
  });

  it('retries a 503 and then reads the body', async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls++;
      if (calls === 1) res.writeHead(503, { 'retry-after': '0' }).end('busy');
      else res.end('blob bytes');
    });
    const http = new HttpClient({ sleep: async () => {}, maxAttempts: 3 });
    const response = await http.request({ method: 'GET', url: server.url, bulk: true });
    expect(response.attempts).toBe(2);
    expect((await readAll(response.body)).toString()).toBe('blob bytes');
    await http.close();
  });
});

describe('a bulk GET over TLS', () => {
  it('trusts a private CA given as connect (SNI by name), and refuses the same server without it', async () => {
    const cert = await createHostileCert();
    const blob = randomBytes(3 * 1024 * 1024);
    const server = await serve(
      (req, res) => {
        res.setHeader('x-sni', String((req.socket as { servername?: string }).servername));
        res.end(blob);
      },
      createTlsServer({ key: cert.keyPem, cert: cert.certPem }),
    );
    const url = server.url.replace('http://127.0.0.1', 'https://registry.hostile.test');
    const trusting = new HttpClient({ ...noWait, connect: hostileConnect(cert) });
    const response = await trusting.request({ method: 'GET', url, bulk: true });
    expect(response.headers['x-sni']).toBe('registry.hostile.test');
    expect(sha256(await readAll(response.body))).toBe(sha256(blob));
    await trusting.close();
    const { lookup } = hostileConnect(cert);
    const wary = new HttpClient({ ...noWait, connect: { lookup } });
    const error = await wary.request({ method: 'GET', url, bulk: true }).catch((e: unknown) => e);
    expect((error as HttpTransportError).errorCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await wary.close();
  });
});
