import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appSubject, cloudEvent, imageSubject } from '../../src/core/events.js';
import type { RebuildRequest } from '../../src/core/rebuilder.js';
import { HttpClient } from '../../src/registry/http.js';
import { verifySignature } from '../../src/webhooks/signature.js';
import { WebhookNotifier } from '../../src/webhooks/webhook-notifier.js';
import { WebhookRebuilder } from '../../src/webhooks/webhook-rebuilder.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

let receiver: WebhookReceiver;
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 10 });
const env = { HOOK_SECRET: 'hook-secret-value', CI_HOOK: '' };
const time = '2026-11-27T12:00:00.000Z';
const events = [
  cloudEvent({
    type: 'basewatch.image.imported',
    subject: imageSubject('base/node:20'),
    data: { image: 'base/node:20' },
    time,
  }),
  cloudEvent({
    type: 'basewatch.rebuild.failed',
    subject: appSubject('payments', 'orders-api'),
    data: { app: 'orders-api', team: 'payments', reason: 'build failed' },
    time,
  }),
  cloudEvent({
    type: 'basewatch.rebuild.succeeded',
    subject: appSubject('finance', 'reports'),
    data: { app: 'reports', team: 'finance' },
    time,
  }),
];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => receiver?.stop());
beforeEach(() => {
  receiver.received.length = 0;
});

describe('WebhookNotifier', () => {
  it('posts a signed CloudEvents batch with only the events a subscription wants', async () => {
    const notifier = new WebhookNotifier(
      [{ url: `${receiver.url}/payments`, teams: ['payments'], secret: 'env:HOOK_SECRET' }],
      http,
      env,
    );
    await notifier.publish(events);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request!.headers['content-type']).toBe('application/cloudevents-batch+json');
    expect(
      verifySignature(request!.body, env.HOOK_SECRET, request!.headers['x-basewatch-signature'] as string),
    ).toBe(true);
    const batch = JSON.parse(request!.body);
    expect(batch.map((e: { type: string }) => e.type)).toEqual(['basewatch.rebuild.failed']);
    expect(batch[0]).toMatchObject({ specversion: '1.0', subject: '/teams/payments/apps/orders-api' });
    expect(request!.body).not.toContain(env.HOOK_SECRET);
  });

  it('filters by type, and sends nothing when nothing matches', async () => {
    const notifier = new WebhookNotifier(
      [
        { url: `${receiver.url}/imports`, types: ['basewatch.image.imported'] },
        { url: `${receiver.url}/nobody`, teams: ['nobody'] },
      ],
      http,
      env,
    );
    await notifier.publish(events);
    expect(receiver.received.map((r) => r.path)).toEqual(['/imports']);
  });

  it('retries a subscriber answering 503, then delivers', async () => {
    receiver.failNext(503, 503);
    await new WebhookNotifier([{ url: `${receiver.url}/flaky` }], http, env).publish(events);
    expect(receiver.received).toHaveLength(3);
  });

  it('a subscriber that keeps refusing fails the publish, naming it without its query string', async () => {
    receiver.failNext(400);
    const notifier = new WebhookNotifier([{ url: `${receiver.url}/refuses?token=abc123` }], http, env);
    const error = await notifier.publish(events).catch((e: unknown) => e as Error);
    expect(error?.message).toContain(`${receiver.url}/refuses answered HTTP 400`);
    expect(error?.message).not.toContain('abc123');
  });

  it('a missing secret variable fails the delivery naming the variable', async () => {
    const notifier = new WebhookNotifier([{ url: receiver.url, secret: 'env:UNSET_SECRET' }], http, env);
    await expect(notifier.publish(events)).rejects.toThrow('environment variable UNSET_SECRET is not set');
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
    expect(verifySignature(post.body, env.HOOK_SECRET, post.headers['x-basewatch-signature'] as string)).toBe(
      true,
    );
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

  it('a webhook URL given as an unset env reference fails naming the variable', async () => {
    await expect(new WebhookRebuilder(http, env).start(request('env:CI_HOOK'))).rejects.toThrow('CI_HOOK');
  });
});
