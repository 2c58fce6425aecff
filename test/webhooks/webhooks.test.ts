import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appSubject, cloudEvent, imageSubject } from '../../src/core/events.js';
import type { RebuildRequest } from '../../src/core/rebuilder.js';
import { HttpClient } from '../../src/registry/http.js';
import { WebhookNotifier } from '../../src/webhooks/webhook-notifier.js';
import { WebhookRebuilder } from '../../src/webhooks/webhook-rebuilder.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { type ScriptedReceiver, startScriptedReceiver } from './scripted-receiver.js';

/** The signature a receiver expects, computed here from the literal key and the raw body received. */
const hmacOf = (body: string, key: string) =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

let receiver: WebhookReceiver;
let scripted: ScriptedReceiver;
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 10 });
const env = { HOOK_SECRET: 'hook-secret-value', OTHER_SECRET: 'other-secret-value', CI_HOOK: '' };
const time = '2026-11-27T12:00:00.000Z';
const events = [
  cloudEvent({
    type: 'basewatch.image.imported',
    subject: imageSubject('base/node:20'),
    data: { image: 'base/node:20' },
    time,
    id: 'event-imported',
  }),
  cloudEvent({
    type: 'basewatch.rebuild.failed',
    subject: appSubject('payments', 'orders-api'),
    data: { app: 'orders-api', team: 'payments', reason: 'build failed' },
    time,
    id: 'event-orders-failed',
  }),
  cloudEvent({
    type: 'basewatch.rebuild.succeeded',
    subject: appSubject('finance', 'reports'),
    data: { app: 'reports', team: 'finance' },
    time,
    id: 'event-reports-succeeded',
  }),
];

/** An HTTP client whose waits are recorded and skipped, so back-off is checked without waiting. */
function recordingClient(waits: number[], options: ConstructorParameters<typeof HttpClient>[0] = {}) {
  return new HttpClient({
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  scripted = await startScriptedReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await scripted?.stop();
});
beforeEach(() => {
  receiver.received.length = 0;
  scripted.received.length = 0;
});

describe('WebhookNotifier', () => {
  it('posts a CloudEvents batch signed with HMAC-SHA256 of the raw body under the subscription secret', async () => {
    const notifier = new WebhookNotifier(
      [{ url: `${receiver.url}/payments`, teams: ['payments'], secret: 'env:HOOK_SECRET' }],
      http,
      env,
    );
    await notifier.publish(events);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/cloudevents-batch+json');
    expect(request!.headers['x-basewatch-signature']).toBe(hmacOf(request!.body, 'hook-secret-value'));
    const batch = JSON.parse(request!.body);
    expect(batch.map((e: { id: string }) => e.id)).toEqual(['event-orders-failed']);
    expect(batch[0]).toMatchObject({
      specversion: '1.0',
      type: 'basewatch.rebuild.failed',
      subject: '/teams/payments/apps/orders-api',
    });
    expect(request!.body).not.toContain('hook-secret-value');
  });

  it('each subscriber is signed with its own secret, and one without a secret gets no signature', async () => {
    const notifier = new WebhookNotifier(
      [
        { url: `${receiver.url}/first`, secret: 'env:HOOK_SECRET' },
        { url: `${receiver.url}/second`, secret: 'env:OTHER_SECRET' },
        { url: `${receiver.url}/plain` },
      ],
      http,
      env,
    );
    await notifier.publish(events);
    const at = (path: string) => receiver.received.find((r) => r.path === path)!;
    expect(at('/first').headers['x-basewatch-signature']).toBe(
      hmacOf(at('/first').body, 'hook-secret-value'),
    );
    expect(at('/second').headers['x-basewatch-signature']).toBe(
      hmacOf(at('/second').body, 'other-secret-value'),
    );
    expect(at('/plain').headers).not.toHaveProperty('x-basewatch-signature');
    expect(at('/plain').headers['content-type']).toBe('application/cloudevents-batch+json');
  });

  it('filters by type and by team; an image event (no team) never reaches a team subscription', async () => {
    const notifier = new WebhookNotifier(
      [
        { url: `${receiver.url}/imports`, types: ['basewatch.image.imported'] },
        { url: `${receiver.url}/finance`, teams: ['finance'] },
        { url: `${receiver.url}/payments-ok`, teams: ['payments'], types: ['basewatch.rebuild.succeeded'] },
        { url: `${receiver.url}/nobody`, teams: ['nobody'] },
        { url: `${receiver.url}/everything` },
      ],
      http,
      env,
    );
    await notifier.publish(events);
    const ids = (path: string) =>
      receiver.received
        .filter((r) => r.path === path)
        .flatMap((r) => JSON.parse(r.body).map((e: { id: string }) => e.id));
    expect(ids('/imports')).toEqual(['event-imported']);
    expect(ids('/finance')).toEqual(['event-reports-succeeded']);
    expect(ids('/everything')).toEqual(['event-imported', 'event-orders-failed', 'event-reports-succeeded']);
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/everything', '/finance', '/imports']);
  });

  it('publishing no events sends nothing', async () => {
    await new WebhookNotifier([{ url: `${receiver.url}/all` }], http, env).publish([]);
    expect(receiver.received).toHaveLength(0);
  });

  it('retries a subscriber answering 503, then delivers the same batch', async () => {
    receiver.failNext(503, 503);
    await new WebhookNotifier([{ url: `${receiver.url}/flaky` }], http, env).publish(events);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
  });

  it('a subscriber answering 429 with Retry-After is retried after the time it asked for, with the same signed batch', async () => {
    scripted.script('/throttled', { status: 429, headers: { 'retry-after': '7' } });
    const waits: number[] = [];
    await new WebhookNotifier(
      [{ url: `${scripted.url}/throttled`, secret: 'env:HOOK_SECRET' }],
      recordingClient(waits),
      env,
    ).publish(events);
    const deliveries = scripted.deliveriesTo('/throttled');
    expect(deliveries).toHaveLength(2);
    expect(waits).toEqual([7000]);
    expect(deliveries[1]!.body).toBe(deliveries[0]!.body);
    expect(deliveries[1]!.headers['x-basewatch-signature']).toBe(
      hmacOf(deliveries[0]!.body, 'hook-secret-value'),
    );
  });

  it('a subscriber that keeps answering 429 fails the publish naming the status', async () => {
    scripted.script(
      '/always-throttled',
      ...Array.from({ length: 3 }, () => ({ status: 429, headers: { 'retry-after': '1' } })),
    );
    const waits: number[] = [];
    const error = await new WebhookNotifier(
      [{ url: `${scripted.url}/always-throttled` }],
      recordingClient(waits, { maxAttempts: 3 }),
      env,
    )
      .publish(events)
      .catch((e: unknown) => e as Error);
    expect(error?.message).toBe(
      `notify webhook notifications.webhooks[0]: ${scripted.url}/always-throttled answered HTTP 429`,
    );
    expect(scripted.deliveriesTo('/always-throttled')).toHaveLength(3);
    expect(waits).toEqual([1000, 1000]);
  });

  it('a subscriber that never answers times out after bounded attempts, naming the subscriber and the timeout', async () => {
    scripted.script('/silent?token=abc123', 'silence', 'silence');
    const error = await new WebhookNotifier(
      [{ url: `${scripted.url}/silent?token=abc123` }],
      recordingClient([], { timeoutMs: 200, maxAttempts: 2 }),
      env,
    )
      .publish(events)
      .catch((e: unknown) => e as Error);
    expect(error?.message).toBe(
      `notify webhook notifications.webhooks[0]: ${scripted.url}/silent unreachable after 2 attempt(s) (HEADERS_TIMEOUT)`,
    );
    expect(scripted.deliveriesTo('/silent?token=abc123')).toHaveLength(2);
  });

  it('one subscriber failing does not stop another: the other gets its batch, and the publish fails naming only the failed one', async () => {
    scripted.script('/down', { status: 500 });
    const error = await new WebhookNotifier(
      [{ url: `${scripted.url}/down` }, { url: `${scripted.url}/up`, secret: 'env:HOOK_SECRET' }],
      recordingClient([]),
      env,
    )
      .publish(events)
      .catch((e: unknown) => e as Error);
    expect(error?.message).toBe(
      `notify webhook notifications.webhooks[0]: ${scripted.url}/down answered HTTP 500`,
    );
    const [up] = scripted.deliveriesTo('/up');
    expect(up).toBeDefined();
    expect(JSON.parse(up!.body)).toHaveLength(3);
    expect(up!.headers['x-basewatch-signature']).toBe(hmacOf(up!.body, 'hook-secret-value'));
  });

  it('two subscribers failing are both named, in one error', async () => {
    scripted.script('/a', { status: 500 });
    scripted.script('/b', { status: 410 });
    const error = await new WebhookNotifier(
      [{ url: `${scripted.url}/a` }, { url: `${scripted.url}/b` }],
      recordingClient([]),
      env,
    )
      .publish(events)
      .catch((e: unknown) => e as Error);
    const parts = error?.message.split('; ').sort();
    expect(parts).toEqual([
      `notify webhook notifications.webhooks[0]: ${scripted.url}/a answered HTTP 500`,
      `notify webhook notifications.webhooks[1]: ${scripted.url}/b answered HTTP 410`,
    ]);
  });

  it('a subscriber that keeps refusing fails the publish, naming it without its query string', async () => {
    receiver.failNext(400);
    const notifier = new WebhookNotifier([{ url: `${receiver.url}/refuses?token=abc123` }], http, env);
    const error = await notifier.publish(events).catch((e: unknown) => e as Error);
    expect(error?.message).toContain(`${receiver.url}/refuses answered HTTP 400`);
    expect(error?.message).not.toContain('abc123');
  });

  it('a missing secret variable fails the delivery naming the variable and the subscription', async () => {
    const notifier = new WebhookNotifier([{ url: receiver.url, secret: 'env:UNSET_SECRET' }], http, env);
    await expect(notifier.publish(events)).rejects.toThrow(
      'environment variable UNSET_SECRET is not set (secret of notifications.webhooks[0])',
    );
    expect(receiver.received).toHaveLength(0);
  });
});

describe('WebhookRebuilder', () => {
  const request = (url: string): RebuildRequest => ({
    app: 'reports',
    team: 'finance',
    image: 'apps/reports:1',
    method: { webhook: { url, secret: 'env:HOOK_SECRET' } },
    base: 'base/node:20-alpine',
    baseDigest: `sha256:${'b'.repeat(64)}`,
    orchestrationId: 'sync-1',
  });

  it('starts a CI run with a signed payload and an idempotency key, then polls its status URL', async () => {
    receiver.reply('/ci', { runId: 'ci-42', statusUrl: `${receiver.url}/ci/runs/42`, status: 'queued' });
    receiver.reply('/ci/runs/42', { status: 'succeeded', logUrl: 'https://ci.example/42' });
    const rebuilder = new WebhookRebuilder(http, env);
    const started = await rebuilder.start(request(`${receiver.url}/ci`));
    expect(started).toMatchObject({ runId: 'ci-42', status: 'queued' });
    const post = receiver.received[0]!;
    expect(post.headers['idempotency-key']).toBe('sync-1/reports');
    expect(post.headers['x-basewatch-signature']).toBe(hmacOf(post.body, 'hook-secret-value'));
    expect(JSON.parse(post.body)).toMatchObject({ app: 'reports', baseDigest: `sha256:${'b'.repeat(64)}` });
    expect(await rebuilder.status(started, request(`${receiver.url}/ci`))).toMatchObject({
      status: 'succeeded',
      logUrl: 'https://ci.example/42',
    });
  });

  it('a CI without a status URL: the run counts as accepted, and says so', async () => {
    receiver.reply('/fire', {});
    const run = await new WebhookRebuilder(http, env).start(request(`${receiver.url}/fire`));
    expect(run).toMatchObject({
      status: 'succeeded',
      runId: 'sync-1/reports',
      reason: expect.stringContaining('reports no status'),
    });
  });

  it('a CI whose status URL stops answering is named, without its query, after bounded attempts', async () => {
    // A port that was listening and is closed: connections are refused, as by a CI that went away.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as AddressInfo;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const ci = `http://127.0.0.1:${port}/ci`;
    const run = { runId: 'ci-7', statusUrl: `${ci}/runs/7?token=s3cret`, status: 'running' as const };
    const error = await new WebhookRebuilder(recordingClient([], { maxAttempts: 2 }), env)
      .status(run, request(ci))
      .catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `rebuild status of reports: http://127.0.0.1:${port}/ci/runs/7 unreachable after 2 attempt(s) (ECONNREFUSED)`,
    );
  });

  it('a webhook URL given as an unset env reference fails naming the variable', async () => {
    await expect(new WebhookRebuilder(http, env).start(request('env:CI_HOOK'))).rejects.toThrow('CI_HOOK');
  });
});
