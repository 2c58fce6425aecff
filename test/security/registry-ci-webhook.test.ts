// A CI webhook names where to poll a rebuild's status; basewatch polls it only on the webhook's own
// origin. Anything else fails the rebuild by name and is never fetched.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RebuildRequest } from '../../src/core/rebuilder.js';
import { HttpClient } from '../../src/registry/http.js';
import { WebhookRebuilder } from '../../src/webhooks/webhook-rebuilder.js';
import { everythingSaid } from '../support/hostile-secrets.js';
import { type HostileServer, sendJson, startHostileServer } from '../support/hostile-server.js';

const TOKEN = 'ci-hook-canary-93be';
const SECRET = 'ci-signing-canary-5f02';
/** What the CI answers the next POST with: `statusUrl`, given the CI's and the other host's URLs. */
let answer: (ci: string, other: string) => unknown = () => ({});

let ci: HostileServer;
let other: HostileServer;

function request(): RebuildRequest {
  return {
    app: 'orders',
    team: 'payments',
    image: 'apps/orders:1',
    method: { webhook: { url: `${ci.url}/hook?token=${TOKEN}`, secret: 'env:CI_SECRET' } },
    base: 'base/node:20',
    baseDigest: `sha256:${'a'.repeat(64)}`,
    orchestrationId: 'sync-1',
  };
}
const rebuilder = () =>
  new WebhookRebuilder(new HttpClient({ baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 2 }), {
    CI_SECRET: SECRET,
  });

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toContain('rebuild of orders: the CI named a statusUrl on');
  expect((error as Error).message).toContain('refused, not fetched');
  for (const secret of [TOKEN, SECRET]) expect(everythingSaid(error)).not.toContain(secret);
  return error as Error;
}

beforeAll(async () => {
  ci = await startHostileServer((req, res) => {
    req.resume();
    if (req.method === 'POST') return sendJson(res, 202, answer(ci.url, `http://localhost:${other.port}`));
    if (req.url?.endsWith('/forged'))
      return sendJson(res, 200, { status: 'succeeded', imageDigest: 'sha256:../../x' });
    sendJson(res, 200, { status: 'succeeded' });
  });
  other = await startHostileServer((_req, res) => sendJson(res, 200, { status: 'succeeded' }));
});
afterAll(async () => {
  await ci?.stop();
  await other?.stop();
});
beforeEach(() => {
  ci.clearRequests();
  other.clearRequests();
});

describe('a CI status URL', () => {
  it('on another host fails the rebuild by name, and that host is never asked', async () => {
    answer = (_ci, elsewhere) => ({ runId: 'r1', statusUrl: `${elsewhere}/status/r1` });
    const error = await refusal(rebuilder().start(request()));
    expect(error.message).toContain(`http://localhost:${other.port}`);
    expect(other.requests()).toEqual([]);
  });

  it('on the same host over another scheme is refused too', async () => {
    answer = (ciUrl) => ({ runId: 'r2', statusUrl: `${ciUrl.replace('http:', 'https:')}/status/r2` });
    await refusal(rebuilder().start(request()));
    expect(ci.requests().map((r) => r.method)).toEqual(['POST']);
  });

  it('that is not a string is refused', async () => {
    answer = () => ({ runId: 'r3', statusUrl: { href: 'x' } });
    await refusal(rebuilder().start(request()));
  });

  it('on the webhook origin (relative too) is polled there', async () => {
    answer = () => ({ runId: 'r4', statusUrl: '/status/r4' });
    const run = await rebuilder().start(request());
    expect(run.statusUrl).toBe(`${ci.url}/status/r4`);
    const polled = await rebuilder().status(run, request());
    expect(polled.status).toBe('succeeded');
    expect(ci.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /hook?token=ci-hook-canary-93be',
      'GET /status/r4',
    ]);
  });

  it('changed to another host in the run kept in history is refused at the poll', async () => {
    const run = {
      runId: 'r5',
      status: 'running' as const,
      statusUrl: `http://localhost:${other.port}/status/r5`,
    };
    await refusal(rebuilder().status(run, request()));
    expect(other.requests()).toEqual([]);
  });

  it('answering an image digest that is not a digest fails the rebuild by name', async () => {
    const run = { runId: 'r6', status: 'running' as const, statusUrl: `${ci.url}/status/forged` };
    const error = await rebuilder()
      .status(run, request())
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'rebuild of orders: the CI reported imageDigest "sha256:../../x", which is not a sha256 or sha512 digest',
    );
  });
});
