import { afterEach, describe, expect, it } from 'vitest';
import { ArmOperationError } from '../../src/azure/arm-errors.js';
import { EventGridNotifier, eventGridNotifierFromConfig } from '../../src/azure/event-grid-notifier.js';
import { appSubject, type BasewatchEvent, cloudEvent, imageSubject } from '../../src/core/events.js';
import {
  EVENT_GRID_SCOPE,
  type EventGridTopic,
  startEventGridTopic,
} from '../support/azure/event-grid-topic.js';
import { TestTokenCredential } from '../support/azure/test-credential.js';

const TOPIC_KEY = 'topic-key-secret-value';

const imported = cloudEvent({
  id: 'syncImage-1/imported',
  type: 'basewatch.image.imported',
  subject: imageSubject('base/node:20-alpine'),
  time: '2026-11-27T10:00:00.000Z',
  data: { image: 'base/node:20-alpine', digest: `sha256:${'a'.repeat(64)}`, orchestrationId: 'syncImage-1' },
});
const failed = cloudEvent({
  id: 'rebuildApp-1/failed',
  type: 'basewatch.rebuild.failed',
  subject: appSubject('payments', 'orders-api'),
  time: '2026-11-27T10:05:00.000Z',
  data: { app: 'orders-api', team: 'payments', runId: 'cb1', reason: 'exit status 1' },
});

let topic: EventGridTopic | undefined;
afterEach(async () => {
  await topic?.stop();
  topic = undefined;
});

describe('EventGridNotifier', () => {
  it('publishes CloudEvents with the topic key, keeping id, type, subject, time and data', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const notifier = new EventGridNotifier({
      endpoint: topic.endpoint,
      credential: { key: TOPIC_KEY },
      clientOptions: { tlsOptions: { ca: topic.ca } },
    });
    await notifier.publish([imported, failed]);

    expect(topic.rejections).toEqual([]);
    expect(topic.events).toEqual([imported, failed].map(onTheWire));
  });

  it("publishes with the app's identity for Event Grid's audience", async () => {
    topic = await startEventGridTopic({ acceptToken: true });
    const credential = new TestTokenCredential();
    const notifier = new EventGridNotifier({
      endpoint: topic.endpoint,
      credential: { token: credential },
      clientOptions: { tlsOptions: { ca: topic.ca as string } },
    });
    await notifier.publish([imported]);

    expect(topic.events.map((event) => event.id)).toEqual([imported.id]);
    expect(credential.requestedScopes).toContain(EVENT_GRID_SCOPE);
  });

  it('splits a large batch into publish requests of at most 100 events', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const notifier = keyNotifier(topic);
    const many = Array.from({ length: 250 }, (_, i) => ({ ...imported, id: `event-${i}` }));
    await notifier.publish(many);

    expect(topic.requests.map((request) => [request.status, request.events])).toEqual([
      [200, 100],
      [200, 100],
      [200, 50],
    ]);
    expect(topic.events.map((event) => event.id)).toEqual(many.map((event) => event.id));
  });

  it("keeps every publish request under Event Grid's 1 MB when the events are large", async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const notifier = keyNotifier(topic);
    // 60 events of about 40 KB: 2.4 MB in all, too much for one request though under 100 events.
    const large = Array.from({ length: 60 }, (_, i) =>
      cloudEvent({
        id: `large-${i}`,
        type: 'basewatch.image.imported',
        subject: imageSubject('base/node:20-alpine'),
        time: '2026-11-27T10:00:00.000Z',
        data: { image: 'base/node:20-alpine', reason: 'x'.repeat(40_000) },
      }),
    );
    await notifier.publish(large);

    expect(topic.rejections).toEqual([]);
    expect(topic.requests.length).toBeGreaterThan(2);
    expect(topic.requests.every((request) => request.bytes <= 1024 * 1024)).toBe(true);
    expect(topic.events.map((event) => event.id)).toEqual(large.map((event) => event.id));
  });

  it("publishes once the topic recovers from 503s, through the client's retries", async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    topic.failNext({ times: 2, status: 503 });
    await keyNotifier(topic, { maxRetries: 3 }).publish([imported]);

    expect(topic.requests.map((request) => request.status)).toEqual([503, 503, 200]);
    expect(topic.events.map((event) => event.id)).toEqual([imported.id]);
  });

  it('waits as the topic asks when throttled once, then publishes', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    topic.failNext({ times: 1, status: 429, retryAfterSeconds: 1 });
    await keyNotifier(topic, { maxRetries: 3 }).publish([imported]);

    expect(topic.requests.map((request) => request.status)).toEqual([429, 200]);
    expect(topic.events.map((event) => event.id)).toEqual([imported.id]);
  });

  it('reports persistent throttling as throttled, with the Retry-After the topic sent', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    topic.failNext({ times: 5, status: 429, retryAfterSeconds: 7 });
    const error = (await keyNotifier(topic, { maxRetries: 0 })
      .publish([imported])
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error).toBeInstanceOf(ArmOperationError);
    expect(error).toMatchObject({ kind: 'throttled', status: 429, retryAfterSeconds: 7 });
    expect(topic.requests.map((request) => request.status)).toEqual([429]);
    expect(topic.events).toEqual([]);
  });

  it("gives up after the client's retries when the topic keeps failing", async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    topic.failNext({ times: 5, status: 500 });
    const error = (await keyNotifier(topic, { maxRetries: 2 })
      .publish([imported])
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error).toBeInstanceOf(ArmOperationError);
    expect(error).toMatchObject({ kind: 'failed', status: 500 });
    expect(topic.requests.map((request) => request.status)).toEqual([500, 500, 500]);
    expect(topic.events).toEqual([]);
  });

  it('rejects naming the topic, never the key, when the topic refuses the key', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const wrongKey = 'wrong-topic-key-secret';
    const notifier = new EventGridNotifier({
      endpoint: topic.endpoint,
      credential: { key: wrongKey },
      clientOptions: { tlsOptions: { ca: topic.ca } },
    });
    const error = await notifier.publish([imported]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ArmOperationError);
    expect((error as ArmOperationError).kind).toBe('unauthorized');
    expect((error as Error).message).toContain(`Event Grid topic ${new URL(topic.endpoint).host}`);
    expect((error as Error).message).not.toContain(wrongKey);
    expect(topic.rejections.map((r) => r.status)).toEqual([401]);
  });

  it('resolves the endpoint and key from the config references inside the activity', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const notifier = eventGridNotifierFromConfig(
      { endpoint: 'env:BASEWATCH_TOPIC_ENDPOINT', key: 'env:BASEWATCH_TOPIC_KEY' },
      new TestTokenCredential(),
      { BASEWATCH_TOPIC_ENDPOINT: topic.endpoint, BASEWATCH_TOPIC_KEY: TOPIC_KEY },
      { tlsOptions: { ca: topic.ca } },
    );
    await notifier.publish([failed]);

    expect(topic.events.map((event) => event.type)).toEqual(['basewatch.rebuild.failed']);
  });

  it('speaks plain HTTP to a loopback http:// endpoint, which Event Grid itself refuses', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const notifier = eventGridNotifierFromConfig(
      { endpoint: topic.plainHttpEndpoint, key: 'env:BASEWATCH_TOPIC_KEY' },
      new TestTokenCredential(),
      { BASEWATCH_TOPIC_KEY: TOPIC_KEY },
    );
    const error = (await notifier.publish([failed]).catch((e: unknown) => e)) as ArmOperationError;

    expect(error).toBeInstanceOf(ArmOperationError);
    expect(error).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(error.message).not.toContain(TOPIC_KEY);
    expect(topic.requests.map((request) => [request.scheme, request.status])).toEqual([['http', 403]]);
    expect(topic.events).toEqual([]);
  });

  it('names the missing variable when the key reference cannot be resolved', () => {
    expect(() =>
      eventGridNotifierFromConfig(
        { endpoint: 'https://topic.example/api/events', key: 'env:BASEWATCH_TOPIC_KEY' },
        new TestTokenCredential(),
        {},
      ),
    ).toThrow(/BASEWATCH_TOPIC_KEY is not set/);
  });
});

/** A notifier with the topic's key, trusting its certificate; client retries wait a millisecond, not seconds. */
function keyNotifier(target: EventGridTopic, retries: { maxRetries?: number } = {}): EventGridNotifier {
  return new EventGridNotifier({
    endpoint: target.endpoint,
    credential: { key: TOPIC_KEY },
    clientOptions: {
      tlsOptions: { ca: target.ca },
      retryOptions: { retryDelayInMs: 1, maxRetryDelayInMs: 5, ...retries },
    },
  });
}

/** What the SDK sends for one of our events: the same attributes, `time` normalised by Date. */
function onTheWire(event: BasewatchEvent): Record<string, unknown> {
  return { ...event, time: new Date(event.time).toISOString() };
}
