// What the one HTTP layer promises about its connections, proved against real node:http(s) servers:
// reuse, a bound per host, timeouts on the headers and on an idle body (not on a slow reader), repeated
// headers kept apart, dropped bodies drained or cut, a failing upload named as itself, a private CA.
import { createServer as createTlsServer } from 'node:https';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { discard, HttpClient, HttpTransportError } from '../../src/registry/http.js';
import { closeCountedServers, serveCounted } from '../support/counted-server.js';
import { createHostileCert, hostileConnect } from '../support/hostile-names.js';

afterEach(closeCountedServers);
const serve = serveCounted;

const noWait = { sleep: async () => {}, maxAttempts: 1 };

describe('HttpClient connections', () => {
  it('sends requests one after another over one kept-alive connection', async () => {
    const server = await serve((req, res) => {
      req.resume();
      res.end('ok');
    });
    const http = new HttpClient(noWait);
    for (let i = 0; i < 3; i++) {
      const response = await http.requestBytes({ method: 'GET', url: server.url }, 10);
      expect(response.bytes.toString()).toBe('ok');
    }
    expect(server.connections).toBe(1);
    await http.close();
  });

  it('opens at most connectionsPerHost connections to one host, the rest wait their turn', async () => {
    const server = await serve((req, res) => {
      req.resume();
      setTimeout(() => res.end('ok'), 100);
    });
    const http = new HttpClient({ ...noWait, connectionsPerHost: 2 });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => http.requestBytes({ method: 'GET', url: server.url }, 10)),
    );
    expect(answers.map((a) => a.bytes.toString())).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(server.mostAtOnce).toBe(2);
    expect(server.connections).toBe(2);
    await http.close();
  });

  it('keeps a header sent twice as two values and one sent once as a string', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('www-authenticate', ['Bearer realm="https://a.example/token"', 'Basic realm="b"']);
      res.setHeader('docker-content-digest', 'sha256:abc');
      res.end();
    });
    const http = new HttpClient(noWait);
    const response = await http.requestBytes({ method: 'GET', url: server.url }, 10);
    expect(response.headers['www-authenticate']).toEqual([
      'Bearer realm="https://a.example/token"',
      'Basic realm="b"',
    ]);
    expect(response.headers['docker-content-digest']).toBe('sha256:abc');
    await http.close();
  });

  it('drains a short dropped body so its connection is used again, and cuts a long one', async () => {
    const server = await serve((req, res) => {
      req.resume();
      res.end(Buffer.alloc(req.url?.endsWith('long') ? 4 * 1024 * 1024 : 1024));
    });
    const http = new HttpClient(noWait);
    await discard(await http.request({ method: 'GET', url: server.url }));
    await discard(await http.request({ method: 'GET', url: server.url }));
    expect(server.connections).toBe(1);
    await discard(await http.request({ method: 'GET', url: `${server.url}long` }));
    await discard(await http.request({ method: 'GET', url: server.url }));
    // The 4 MiB body was not read to its end: its connection was closed and the next request opened one.
    expect(server.connections).toBe(2);
    await http.close();
  });
});

describe('HttpClient timeouts', () => {
  it('a body that stops arriving fails with BODY_TIMEOUT', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
    });
    const http = new HttpClient({ ...noWait, timeoutMs: 1_000 });
    const response = await http.request({ method: 'GET', url: server.url });
    const started = Date.now();
    const error = await http.readBody(response, 2000, server.url).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('BODY_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    await http.close();
  });

  it('a reader that is behind is no idle body: the bytes wait for it past the timeout', async () => {
    const body = Buffer.alloc(2 * 1024 * 1024, 7);
    const server = await serve((_req, res) => res.end(body));
    const http = new HttpClient({ ...noWait, timeoutMs: 1_000 });
    const response = await http.request({ method: 'GET', url: server.url });
    await sleep(2_500);
    let received = 0;
    for await (const chunk of response.body) received += (chunk as Buffer).length;
    expect(received).toBe(body.length);
    await http.close();
  });

  it('an upload that keeps sending is not timed out; one whose source stops is, with HEADERS_TIMEOUT', async () => {
    const server = await serve((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => res.end(String(bytes)));
    });
    const http = new HttpClient({ ...noWait, timeoutMs: 1_000 });
    async function* paced(chunks: number, everyMs: number) {
      for (let i = 0; i < chunks; i++) {
        await sleep(everyMs);
        yield Buffer.alloc(1000);
      }
    }
    const sent = await http.requestBytes(
      { method: 'PUT', url: server.url, body: () => Readable.from(paced(8, 250)) },
      100,
    );
    // 2 s in all, twice the timeout, but never 1 s without a byte.
    expect(sent.bytes.toString()).toBe('8000');
    const stopped = await http
      .request({ method: 'PUT', url: server.url, body: () => Readable.from(paced(2, 2_500)) })
      .catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(HttpTransportError);
    expect((stopped as HttpTransportError).errorCode).toBe('HEADERS_TIMEOUT');
    await http.close();
  });

  it("a request waiting for one of the host's connections is not timed until it has one", async () => {
    const server = await serve((req, res) => {
      req.resume();
      if (!req.url?.endsWith('slow')) {
        res.end('quick');
        return;
      }
      // Holds the only connection for 2.5 s, never idle for as long as the 1 s timeout.
      res.writeHead(200);
      let sent = 0;
      const tick = setInterval(() => {
        res.write('x');
        if (++sent === 10) {
          clearInterval(tick);
          res.end();
        }
      }, 250);
    });
    const http = new HttpClient({ ...noWait, timeoutMs: 1_000, connectionsPerHost: 1 });
    const slow = http.requestBytes({ method: 'GET', url: `${server.url}slow` }, 100);
    const queued = http.requestBytes({ method: 'GET', url: server.url }, 100);
    expect((await slow).bytes.toString()).toBe('xxxxxxxxxx');
    expect((await queued).bytes.toString()).toBe('quick');
    expect(server.connections).toBe(1);
    await http.close();
  });

  it('an upload whose source fails is refused with the source error as its cause, sent once', async () => {
    const server = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.end());
    });
    const http = new HttpClient(noWait);
    const source = new Readable({
      read() {
        this.destroy(new Error('disk read failed'));
      },
    });
    const error = await http
      .request({ method: 'PUT', url: server.url, body: () => source })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect(((error as HttpTransportError).cause as Error).message).toBe('disk read failed');
    await http.close();
  });
});

describe('HttpClient over TLS', () => {
  it('trusts a private CA given as connect, and refuses the same server without it', async () => {
    const cert = await createHostileCert();
    const server = await serve(
      (_req, res) => res.end('secure'),
      createTlsServer({ key: cert.keyPem, cert: cert.certPem }),
    );
    const url = server.url.replace('http://127.0.0.1', 'https://registry.hostile.test');
    const trusting = new HttpClient({ ...noWait, connect: hostileConnect(cert) });
    expect((await trusting.requestBytes({ method: 'GET', url }, 10)).bytes.toString()).toBe('secure');
    await trusting.close();
    const { lookup } = hostileConnect(cert);
    const wary = new HttpClient({ ...noWait, connect: { lookup } });
    const error = await wary.request({ method: 'GET', url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).errorCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await wary.close();
  });
});
