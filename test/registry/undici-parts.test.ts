// The HTTP layer loads two undici files by path (src/registry/undici-parts.ts); this fails loudly when
// a new undici moves or changes them, before any registry call does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as undici from 'undici';
import { expect, it } from 'vitest';
import { Agent, request } from '../../src/registry/undici-parts.js';

it('are the Agent and the request method undici itself exports', () => {
  expect(Agent).toBe(undici.Agent);
  // undici's index mixes its api into Dispatcher.prototype; request is the one undici-parts calls.
  expect(new undici.Agent().request).toBeTypeOf('function');
  expect(Object.keys(undici.Dispatcher.prototype)).toContain('request');
});

it('request sends method, path with query, headers and body to the origin, on the dispatcher given', async () => {
  const seen: { method?: string; url?: string; header?: string; body?: string } = {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      Object.assign(seen, { method: req.method, url: req.url, header: req.headers['x-probe'], body });
      res.writeHead(201, { 'x-answer': 'yes' }).end('made');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const agent = new Agent();
  try {
    const { port } = server.address() as AddressInfo;
    const response = await request(`http://127.0.0.1:${port}/v2/base/node/blobs/uploads/?mount=x&from=y`, {
      method: 'POST',
      headers: { 'x-probe': 'probe' },
      body: 'payload',
      dispatcher: agent,
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-answer']).toBe('yes');
    expect(await response.body.text()).toBe('made');
    expect(seen).toEqual({
      method: 'POST',
      url: '/v2/base/node/blobs/uploads/?mount=x&from=y',
      header: 'probe',
      body: 'payload',
    });
  } finally {
    await agent.close();
    server.close();
  }
});
