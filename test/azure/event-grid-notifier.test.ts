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
      clientOptions: { allowInsecureConnection: true },
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

  it('splits a large batch into several publish requests', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const notifier = new EventGridNotifier({
      endpoint: topic.endpoint,
      credential: { key: TOPIC_KEY },
      clientOptions: { allowInsecureConnection: true },
    });
    const many = Array.from({ length: 250 }, (_, i) => ({ ...imported, id: `event-${i}` }));
    await notifier.publish(many);

    expect(topic.events.map((event) => event.id)).toEqual(many.map((event) => event.id));
  });

  it('rejects naming the topic, never the key, when the topic refuses the key', async () => {
    topic = await startEventGridTopic({ key: TOPIC_KEY });
    const wrongKey = 'wrong-topic-key-secret';
    const notifier = new EventGridNotifier({
      endpoint: topic.endpoint,
      credential: { key: wrongKey },
      clientOptions: { allowInsecureConnection: true },
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
      { allowInsecureConnection: true },
    );
    await notifier.publish([failed]);

    expect(topic.events.map((event) => event.type)).toEqual(['basewatch.rebuild.failed']);
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

/** What the SDK sends for one of our events: the same attributes, `time` normalised by Date. */
function onTheWire(event: BasewatchEvent): Record<string, unknown> {
  return { ...event, time: new Date(event.time).toISOString() };
}
