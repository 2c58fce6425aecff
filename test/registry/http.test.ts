import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, HttpTransportError } from '../../src/registry/http.js';

type Step = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server that answers each request with the next scripted step. */
async function scriptedServer(steps: Step[]): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((req, res) => {
    const step = steps[Math.min(hits, steps.length - 1)]!;
    hits++;
    req.resume();
    step(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { url: `http://127.0.0.1:${port}/v2/`, hits: () => hits, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const ok: Step = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
const status =
  (code: number, headers: Record<string, string> = {}): Step =>
  (_req, res) =>
    res.writeHead(code, headers).end();
const reset: Step = (req) => req.socket.destroy();
const stall: Step = () => {};

function client(delays: number[], extra: ConstructorParameters<typeof HttpClient>[0] = {}) {
  return new HttpClient({
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
}

describe('HttpClient retries transient failures in one place', () => {
  it('503 then success: succeeds on the second attempt', async () => {
    const server = await scriptedServer([status(503), ok]);
    const delays: number[] = [];
    const response = await client(delays).requestBytes({ method: 'GET', url: server.url }, 100);
    expect(response.status).toBe(200);
    expect(response.bytes.toString()).toBe('ok');
    expect(server.hits()).toBe(2);
    expect(delays).toHaveLength(1);
  });

  it('429 with Retry-After waits the time the server asked for', async () => {
    const server = await scriptedServer([status(429, { 'retry-after': '3' }), ok]);
    const delays: number[] = [];
    const response = await client(delays).request({ method: 'HEAD', url: server.url });
    expect(response.status).toBe(200);
    expect(delays).toEqual([3000]);
  });

  it('a Retry-After longer than the cap is handed to the caller, not waited for', async () => {
    const server = await scriptedServer([status(429, { 'retry-after': '3600' }), ok]);
    const delays: number[] = [];
    const response = await client(delays).request({ method: 'HEAD', url: server.url });
    expect(response.status).toBe(429);
    expect(server.hits()).toBe(1);
    expect(delays).toEqual([]);
  });

  it('backs off exponentially with jitter, bounded by maxAttempts, then returns the last response', async () => {
    const server = await scriptedServer([status(502)]);
    const delays: number[] = [];
    const response = await client(delays, { maxAttempts: 4, baseDelayMs: 100 }).request({
      method: 'GET',
      url: server.url,
    });
    expect(response.status).toBe(502);
    expect(server.hits()).toBe(4);
    expect(delays).toEqual([75, 150, 300]);
  });

  it('a connection reset is retried', async () => {
    const server = await scriptedServer([reset, ok]);
    const response = await client([]).request({ method: 'GET', url: server.url });
    expect(response.status).toBe(200);
    expect(server.hits()).toBe(2);
  });

  it('a server that stalls past the timeout fails naming the host after bounded attempts, never hangs', async () => {
    const server = await scriptedServer([stall]);
    const started = Date.now();
    const error = await client([], { timeoutMs: 200, maxAttempts: 3 })
      .request({ method: 'HEAD', url: server.url })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    const transport = error as HttpTransportError;
    expect(transport.message).toContain(new URL(server.url).host);
    expect(transport.attempts).toBe(3);
    expect(transport.errorCode).toBe('HEADERS_TIMEOUT');
    expect(server.hits()).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an unreachable host fails with ECONNREFUSED after bounded attempts', async () => {
    const server = await scriptedServer([ok]);
    const url = server.url;
    await new Promise((resolve) => server.server.close(resolve));
    const error = await client([], { maxAttempts: 2 })
      .request({ method: 'GET', url })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpTransportError);
    expect((error as HttpTransportError).errorCode).toBe('ECONNREFUSED');
    expect((error as HttpTransportError).attempts).toBe(2);
  });

  it('a request with a one-shot stream body is never sent twice', async () => {
    const server = await scriptedServer([status(503), ok]);
    const response = await client([]).request({
      method: 'PUT',
      url: server.url,
      body: Readable.from([Buffer.from('x')]) as never,
    });
    expect(response.status).toBe(503);
    expect(server.hits()).toBe(1);
  });

  it('a body factory is called again for each attempt', async () => {
    const server = await scriptedServer([status(503), ok]);
    let made = 0;
    const response = await client([]).request({
      method: 'PUT',
      url: server.url,
      body: () => {
        made++;
        return Readable.from([Buffer.from('x')]);
      },
    });
    expect(response.status).toBe(200);
    expect(made).toBe(2);
  });
});
