// A hostile web page in the operator's browser, and DNS rebinding, against the real local host: every
// state-changing request it could make is refused with nothing started; the host's own requests still work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/api/exchange.js';
import { fetchBodySource, readRequestBody } from '../../src/api/request-body.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { errorText, type HostUnderTest, type RawResponse, startHostUnderTest } from './host-harness.js';

const MIB = 1024 * 1024;
const HOOK_TOKEN = 'host-surface-hook-token-4c1d9e';

let upstream: TestRegistry;
let mirror: TestRegistry;
let target: HostUnderTest;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  target = await startHostUnderTest({
    yaml: `version: 1
registry: { url: "http://${mirror.host}" }
defaults: { schedule: "0 0 0 1 1 *" }
images:
  - { source: "${upstream.host}/library/node", tags: ["22"], target: base/node }
hooks: { token: env:HOOK_TOKEN }
`,
    env: { HOOK_TOKEN },
  });
}, 60_000);
afterAll(async () => {
  await target?.stop();
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

/** Sends the request and checks that the engine holds the same instances afterwards. */
async function startsNothing(send: () => Promise<RawResponse>): Promise<RawResponse> {
  const before = await target.instances();
  const response = await send();
  expect(await target.instances()).toEqual(before);
  return response;
}

const json = { 'content-type': 'application/json' };

describe('Host header (DNS rebinding)', () => {
  it.each([
    'evil.example:PORT',
    'evil.example',
    '127.0.0.1',
    '127.0.0.1:1',
    'localhost.evil.example:PORT',
    '127.0.0.2:PORT',
  ])('Host %s is answered 421, for reads and writes', async (name) => {
    const host = name.replace('PORT', String(target.port));
    const read = await target.send('GET', '/api/runs', { host });
    expect(read.status).toBe(421);
    expect(read.text).not.toContain('"runs"');
    const write = await startsNothing(() =>
      target.send('POST', '/api/sync', { host, headers: json, body: '{}' }),
    );
    expect(write.status).toBe(421);
  });

  it('a request without a Host header is answered 421', async () => {
    const response = await target.send('GET', '/api/runs', { host: null });
    expect(response.status).toBe(421);
  });

  it.each(['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT'])(
    'Host %s (the address it listens on) is served',
    async (name) => {
      const response = await target.send('GET', '/api/runs', {
        host: name.replace('PORT', String(target.port)),
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toHaveProperty('runs');
    },
  );
});

describe('cross-origin requests', () => {
  it('a form post from another origin (a simple request, no preflight) is refused and starts nothing', async () => {
    const response = await startsNothing(() =>
      target.send('POST', '/api/sync', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: 'image=base%2Fnode%3A22',
      }),
    );
    expect(response.status).toBe(403);
    expect(errorText(response)).toBe('POST /api/sync from another origin is refused');
  });

  it.each([
    'https://evil.example',
    'null',
    'http://localhost:PORT',
    'http://127.0.0.1:1',
    'https://127.0.0.1:PORT',
  ])('Origin %s with a JSON body is refused (403) on every POST route', async (name) => {
    const origin = name.replace('PORT', String(target.port));
    for (const path of [
      '/api/sync',
      '/api/runs/anything/terminate',
      '/api/hooks/registry',
      '/runtime/webhooks/EventGrid',
    ]) {
      const response = await startsNothing(() =>
        target.send('POST', path, {
          headers: { ...json, origin, authorization: `Bearer ${HOOK_TOKEN}` },
          body: '{}',
        }),
      );
      expect(response.status, `${path} from ${origin}`).toBe(403);
    }
  });

  it.each([
    ['application/x-www-form-urlencoded', 'image=base%2Fnode%3A22'],
    ['text/plain', '{"image":"base/node:22"}'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="image"\r\n\r\nbase/node:22\r\n--x--',
    ],
    ['application/jsonp', '{}'],
    ['text/json', '{}'],
  ])('Content-Type %s is answered 415 and starts nothing', async (type, body) => {
    const response = await startsNothing(() =>
      target.send('POST', '/api/sync', { headers: { 'content-type': type }, body }),
    );
    expect(response.status).toBe(415);
    expect(errorText(response)).toContain('POST /api/sync takes Content-Type: application/json');
  });

  it('a POST without Content-Type is answered 415, also with no body (terminate)', async () => {
    const sync = await startsNothing(() => target.send('POST', '/api/sync', { body: '{}' }));
    expect(sync.status).toBe(415);
    expect(errorText(sync)).toBe('POST /api/sync takes Content-Type: application/json (none was given)');
    const terminate = await target.send('POST', '/api/runs/anything/terminate');
    expect(terminate.status).toBe(415);
  });

  it('no response carries CORS headers, preflight included', async () => {
    const origin = 'https://evil.example';
    const responses = [
      await target.send('OPTIONS', '/api/sync', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      }),
      await target.send('GET', '/api/runs', { headers: { origin } }),
      await target.send('POST', '/api/sync', { headers: { ...json, origin }, body: '{}' }),
    ];
    for (const response of responses) {
      expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    // The preflight is not approved: OPTIONS is not a method of the route.
    expect(responses[0]?.status).toBe(405);
  });
});

describe('bodies', () => {
  it('malformed JSON is 400 and starts nothing (it used to start a full cycle)', async () => {
    for (const body of ['{"image":', '{image: "base/node:22"}', '   ', '{"image":"base/node:22"} trailing']) {
      const response = await startsNothing(() => target.send('POST', '/api/sync', { headers: json, body }));
      expect(response.status, body).toBe(400);
      expect(errorText(response)).toBe('POST /api/sync: the body is not valid JSON; nothing was started');
    }
  });

  it('a body over 1 MiB is 413, with or without Content-Length, and starts nothing', async () => {
    const body = `{"image":"${'a'.repeat(2 * MIB)}"}`;
    const declared = await startsNothing(() => target.send('POST', '/api/sync', { headers: json, body }));
    expect(declared.status).toBe(413);
    expect(errorText(declared)).toBe(`POST /api/sync: the body is larger than ${MIB} bytes`);
    const chunked = await startsNothing(() =>
      target.send('POST', '/api/sync', { headers: json, body, chunked: true }),
    );
    expect(chunked.status).toBe(413);
    const oneOver = await startsNothing(() =>
      target.send('POST', '/api/sync', { headers: json, body: `{}${' '.repeat(MIB - 1)}` }),
    );
    expect(oneOver.status).toBe(413);
  });

  it('the host still answers after refusing bodies', async () => {
    expect((await target.send('GET', '/api/runs')).status).toBe(200);
  });

  it('both hosts answer the same for the same refused body (Azure reads it through the Fetch API request)', async () => {
    const cases: Array<{ type?: string; body: string }> = [
      { type: 'application/json', body: '{"image":' },
      { type: 'text/plain', body: '{}' },
      { body: '{}' },
      { type: 'application/json', body: `{}${' '.repeat(MIB - 1)}` },
    ];
    for (const { type, body } of cases) {
      const local = await target.send('POST', '/api/sync', {
        headers: type === undefined ? {} : { 'content-type': type },
        body,
      });
      const azure = await readRequestBody(
        fetchBodySource(
          new Request('https://basewatch.azurewebsites.net/api/sync', {
            method: 'POST',
            // Bytes, not text: a string body would get text/plain from the Fetch API itself.
            body: new TextEncoder().encode(body),
            headers: type === undefined ? {} : { 'content-type': type },
          }),
        ),
        'POST /api/sync',
      ).then(
        () => ({ status: 0, error: 'accepted' }),
        (error: ApiError) => ({ status: error.status, error: error.message }),
      );
      expect(azure).toEqual({ status: local.status, error: errorText(local) });
    }
  });

  it('a body of exactly 1 MiB is read, and a same-origin JSON POST starts a cycle (the rules refuse only what they should)', async () => {
    const before = await target.instances();
    const response = await target.send('POST', '/api/sync', {
      headers: { ...json, origin: `http://127.0.0.1:${target.port}` },
      body: `{}${' '.repeat(MIB - 2)}`,
    });
    expect(response.status).toBe(202);
    const { instanceId } = JSON.parse(response.text) as { instanceId: string };
    expect(await target.instances()).toEqual([...before, instanceId].sort());
    await target.host.engine.waitForCompletion(instanceId, 60_000);
  });

  it('no response or log line carries the hooks token', async () => {
    const responses = [
      await target.send('POST', '/api/hooks/registry', {
        headers: { ...json, authorization: 'Bearer wrong' },
        body: '{}',
      }),
      await target.send('POST', '/api/hooks/registry', { headers: json, body: '{"events":[]}' }),
      await target.send('GET', '/api/runs'),
    ];
    for (const response of responses) expect(response.text).not.toContain(HOOK_TOKEN);
    expect(target.logs.join('\n')).not.toContain(HOOK_TOKEN);
  });
});
