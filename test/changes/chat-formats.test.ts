// Webhooks in the channels teams read: a Teams Workflows message (an Adaptive Card, parsed by
// Microsoft's own adaptivecards library) and a Slack Block Kit message, delivered to a real HTTP
// receiver through the WebhookNotifier; and the config's `format` field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import type { WebhookSubscription } from '../../src/config/types.js';
import { type BasewatchEvent, cloudEvent } from '../../src/core/events.js';
import type { ChangesSummary } from '../../src/core/image-changes.js';
import { HttpClient } from '../../src/registry/http.js';
import { WebhookNotifier } from '../../src/webhooks/webhook-notifier.js';
import { adaptiveCardComplaints } from '../support/adaptive-card.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const FROM = `sha256:${'1'.repeat(64)}`;
const TO = `sha256:${'2'.repeat(64)}`;

const changes: ChangesSummary = {
  from: FROM,
  to: TO,
  link: '/api/images/base%2Fnode%3A20-alpine/changes?from=x&to=y',
  platforms: [
    {
      platform: 'linux/amd64',
      os: { from: 'Alpine Linux v3.20', to: 'Alpine Linux v3.21', changed: true },
      counts: { added: 1, removed: 1, upgraded: 12, downgraded: 0 },
      compressedSizeChange: 1024,
      layers: { shared: 0, added: 1, removed: 1 },
    },
  ],
  packagesOf: 'linux/amd64',
  packages: Array.from({ length: 12 }, (_, i) => ({
    kind: 'upgraded' as const,
    name: `pkg${String(i).padStart(2, '0')}`,
    from: `1.${i}-r0`,
    to: `1.${i}-r1`,
  })),
  morePackages: 2,
};

const events: BasewatchEvent[] = [
  cloudEvent({
    type: 'basewatch.image.imported',
    subject: '/images/base/node:20-alpine',
    time: '2026-11-30T00:00:00Z',
    id: 'e1',
    data: { image: 'base/node:20-alpine', digest: TO, previousDigest: FROM, changes },
  }),
  cloudEvent({
    type: 'basewatch.rebuild.failed',
    subject: '/teams/payments/apps/orders-api',
    time: '2026-11-30T00:01:00Z',
    id: 'e2',
    data: {
      app: 'orders-api',
      team: 'payments',
      image: 'apps/orders-api:1',
      digest: TO,
      logUrl: 'https://ci.example.com/runs/42',
      reason: 'step <build> failed & exited 1',
    },
  }),
];

let receiver: WebhookReceiver;
const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2, timeoutMs: 5_000 });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await http.close();
});

async function deliver(path: string, format: WebhookSubscription['format']) {
  await new WebhookNotifier([{ url: `${receiver.url}${path}`, format }], http, {}).publish(events);
  const request = receiver.received.find((r) => r.path === path);
  if (!request) throw new Error(`nothing delivered to ${path}`);
  return request;
}

describe('format: teams', () => {
  it("delivers one Adaptive Card that Microsoft's parser reads without a complaint", async () => {
    const request = await deliver('/teams', 'teams');

    expect(request.headers['content-type']).toBe('application/json');
    const message = JSON.parse(request.body);
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    const content = message.attachments[0].content;
    expect(adaptiveCardComplaints(content)).toEqual([]);

    expect(content.version).toBe('1.4');
    expect(content.body[0]).toEqual({
      type: 'TextBlock',
      text: 'base/node:20-alpine: imported',
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
    });
    expect(content.body[1].facts).toEqual([
      { title: 'Digest', value: '111111111111 → 222222222222' },
      {
        title: 'linux/amd64',
        value: 'Alpine Linux v3.20 → Alpine Linux v3.21; 1 added, 1 removed, 12 upgraded, 0 downgraded',
      },
    ]);
    expect(content.body[2].text.split('\n')).toEqual([
      ...Array.from(
        { length: 10 },
        (_, i) => `- upgraded pkg${String(i).padStart(2, '0')} 1.${i}-r0 → 1.${i}-r1`,
      ),
      '- … and 4 more',
    ]);
    expect(content.body[3]).toMatchObject({
      type: 'TextBlock',
      text: 'orders-api: rebuild failed',
      separator: true,
    });
    expect(content.body[4].facts).toEqual([
      { title: 'Team', value: 'payments' },
      { title: 'Image', value: 'apps/orders-api:1' },
      { title: 'Digest', value: '222222222222' },
      { title: 'Reason', value: 'step <build> failed & exited 1' },
    ]);
    expect(content.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'orders-api: rebuild failed: Log',
        url: 'https://ci.example.com/runs/42',
      },
    ]);
  });

  it('the parser this test relies on does complain about a card it should refuse', () => {
    const complaints = adaptiveCardComplaints({
      type: 'AdaptiveCard',
      version: '1.4',
      body: [{ type: 'Bogus' }, { type: 'TextBlock', text: 'x', weight: 'Heavy' }],
    });
    expect(complaints).toEqual([
      'Unknown element type "Bogus". Fallback will be used if present.',
      'Invalid value "Heavy" for property "weight".',
    ]);
  });
});

describe('format: slack', () => {
  it("delivers text and Block Kit blocks within Slack's limits, with mrkdwn escaped", async () => {
    const request = await deliver('/slack', 'slack');

    const message = JSON.parse(request.body);
    expect(message.text).toBe('base/node:20-alpine: imported; orders-api: rebuild failed');
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.blocks.map((b: { type: string }) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'divider',
      'header',
      'section',
      'context',
    ]);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'base/node:20-alpine: imported', emoji: false },
    });
    expect(message.blocks[1].fields).toEqual([
      { type: 'mrkdwn', text: '*Digest*\n111111111111 → 222222222222' },
      {
        type: 'mrkdwn',
        text: '*linux/amd64*\nAlpine Linux v3.20 → Alpine Linux v3.21; 1 added, 1 removed, 12 upgraded, 0 downgraded',
      },
    ]);
    expect(message.blocks[2].text.text.split('\n').at(-1)).toBe('… and 4 more');
    expect(message.blocks[5].fields.at(-1)).toEqual({
      type: 'mrkdwn',
      text: '*Reason*\nstep &lt;build&gt; failed &amp; exited 1',
    });
    expect(message.blocks[6]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: '<https://ci.example.com/runs/42|Log>' }],
    });
  });
});

describe('config format field', () => {
  const config = (format: string) => `version: 1
registry: { url: "oci-layout:/tmp/never" }
notifications:
  webhooks:
    - { url: "https://hooks.example.com/x", format: ${format} }
`;

  it('takes teams and slack', () => {
    expect(parseConfig(config('teams'), 'basewatch.yaml').notifications.webhooks[0]?.format).toBe('teams');
    expect(parseConfig(config('slack'), 'basewatch.yaml').notifications.webhooks[0]?.format).toBe('slack');
  });

  it('refuses another format, naming the file, line and field', () => {
    try {
      parseConfig(config('discord'), 'basewatch.yaml');
      throw new Error('expected the config to be rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issue = (error as ConfigError).issues[0];
      expect(`${issue?.file}:${issue?.line}: ${issue?.path}: ${issue?.message}`).toBe(
        'basewatch.yaml:5: notifications.webhooks[0].format: expected one of: cloudevents, teams, slack',
      );
    }
  });
});
