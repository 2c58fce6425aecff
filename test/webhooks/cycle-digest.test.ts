// Per-team digests (`digest: cycle`): which digests a subscriber gets from one cycle's report, what they
// say (against literals), the Teams card read by Microsoft's parser, the Slack blocks, the CloudEvent, and
// the delivery through the WebhookNotifier to a real receiver; and the config's `digest` field.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';
import type { CycleApp, CycleImage, CycleReport } from '../../src/core/events.js';
import type { ChangesSummary } from '../../src/core/image-changes.js';
import { HttpClient } from '../../src/registry/http.js';
import { cycleDigests, digestCloudEvent } from '../../src/webhooks/cycle-digest.js';
import { slackDigest } from '../../src/webhooks/slack-message.js';
import { teamsDigest } from '../../src/webhooks/teams-message.js';
import { WebhookNotifier } from '../../src/webhooks/webhook-notifier.js';
import { adaptiveCardComplaints } from '../support/adaptive-card.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const digest = (hex: string) => `sha256:${hex.repeat(64)}`;
const CYCLE = 'cycle:2026-11-30T03:00:00.000Z';
const ENDED = '2026-11-30T03:05:00.000Z';

const nodeChanges: ChangesSummary = {
  from: digest('1'),
  to: digest('2'),
  link: '/api/images/base%2Fnode%3A20/changes?from=x&to=y',
  platforms: [
    {
      platform: 'linux/amd64',
      os: { from: 'Alpine Linux v3.20', to: 'Alpine Linux v3.21', changed: true },
      counts: { added: 1, removed: 1, upgraded: 5, downgraded: 0 },
      compressedSizeChange: 2048,
      layers: { shared: 1, added: 1, removed: 1 },
    },
  ],
  packagesOf: 'linux/amd64',
  packages: [
    { kind: 'added', name: 'apk-tools', to: '2.14.6-r2' },
    { kind: 'removed', name: 'zlib', from: '1.3.1-r1' },
    { kind: 'upgraded', name: 'musl', from: '1.2.5-r0', to: '1.2.5-r8' },
    { kind: 'upgraded', name: 'libcrypto3', from: '3.3.2-r0', to: '3.3.2-r4' },
    { kind: 'upgraded', name: 'libssl3', from: '3.3.2-r0', to: '3.3.2-r4' },
    { kind: 'upgraded', name: 'busybox', from: '1.36.1-r5', to: '1.36.1-r29' },
    { kind: 'upgraded', name: 'ssl_client', from: '1.36.1-r5', to: '1.36.1-r29' },
  ],
  morePackages: 0,
};

const report: CycleReport = {
  cycleId: CYCLE,
  time: ENDED,
  images: [
    {
      image: 'base/node:20',
      source: 'docker.io/library/node:20',
      outcome: 'imported',
      digest: digest('2'),
      previousDigest: digest('1'),
      changes: nodeChanges,
      apps: [
        {
          app: 'orders-api',
          team: 'payments',
          image: 'apps/orders-api:1',
          result: 'succeeded',
          runId: 'r1',
          logUrl: 'https://ci.example.com/runs/1',
          imageDigest: digest('a'),
        },
        {
          app: 'reports',
          team: 'finance',
          image: 'apps/reports:3',
          result: 'failed',
          reason: 'tests <unit> failed & exited 1',
          logUrl: 'https://ci.example.com/runs/2',
        },
        {
          app: 'ledger',
          team: 'payments',
          image: 'apps/ledger:2',
          result: 'skipped',
          reason: 'already built on this base',
        },
      ],
    },
    {
      image: 'base/python:3',
      outcome: 'rejected',
      digest: digest('3'),
      previousDigest: digest('4'),
      reason: 'maxGrowth: grew 40% (limit 25%)',
      apps: [{ app: 'billing', team: 'payments', image: 'apps/billing:1', result: 'held' }],
    },
    { image: 'base/go:1', outcome: 'imported', digest: digest('5'), apps: [] },
  ],
};

const names = (images: readonly CycleImage[]) =>
  images.map((image) => [image.image, image.apps.map((app) => app.app)]);

describe('which digests a subscriber gets', () => {
  it('a team hears of the images under its own apps, and of only those apps', () => {
    const [payments, ...rest] = cycleDigests({ teams: ['payments'] }, report);
    expect(rest).toEqual([]);
    expect(payments).toMatchObject({
      id: 'cycle:2026-11-30T03:00:00.000Z/digest/payments',
      cycleId: CYCLE,
      team: 'payments',
      time: ENDED,
      moreImages: 0,
      moreApps: 0,
      link: '/api/runs/cycle%3A2026-11-30T03%3A00%3A00.000Z',
    });
    expect(names(payments!.images)).toEqual([
      ['base/node:20', ['orders-api', 'ledger']],
      ['base/python:3', ['billing']],
    ]);
  });

  it('one digest per team named, in the order named; none for a team the cycle did not touch', () => {
    const digests = cycleDigests({ teams: ['finance', 'search', 'payments'] }, report);
    expect(digests.map((d) => d.id)).toEqual([
      'cycle:2026-11-30T03:00:00.000Z/digest/finance',
      'cycle:2026-11-30T03:00:00.000Z/digest/payments',
    ]);
    expect(names(digests[0]!.images)).toEqual([['base/node:20', ['reports']]]);
  });

  it('a subscriber naming no teams gets one digest of every image, apps or not', () => {
    const digests = cycleDigests({}, report);
    expect(digests).toHaveLength(1);
    expect(digests[0]!.id).toBe('cycle:2026-11-30T03:00:00.000Z/digest/*');
    expect(digests[0]!.team).toBeUndefined();
    expect(names(digests[0]!.images)).toEqual([
      ['base/node:20', ['orders-api', 'reports', 'ledger']],
      ['base/python:3', ['billing']],
      ['base/go:1', []],
    ]);
  });

  it('types filter the lines: only failed rebuilds leaves finance its failure and payments nothing', () => {
    const types = ['basewatch.rebuild.failed'];
    expect(cycleDigests({ teams: ['payments'], types }, report)).toEqual([]);
    const [finance] = cycleDigests({ teams: ['finance'], types }, report);
    expect(names(finance!.images)).toEqual([['base/node:20', ['reports']]]);
    const rejections = cycleDigests({ types: ['basewatch.image.rejected'] }, report);
    expect(names(rejections[0]!.images)).toEqual([['base/python:3', ['billing']]]);
  });

  it('is bounded: 10 images and 25 apps, the rest counted', () => {
    const many: CycleReport = {
      cycleId: CYCLE,
      time: ENDED,
      images: Array.from({ length: 12 }, (_, i) => ({
        image: `base/img${i}:1`,
        outcome: 'imported' as const,
        digest: digest('6'),
        apps: Array.from(
          { length: 3 },
          (_, j): CycleApp => ({ app: `app-${i}-${j}`, team: 'payments', result: 'succeeded' }),
        ),
      })),
    };
    const [bounded] = cycleDigests({ teams: ['payments'] }, many);
    expect(bounded!.images.map((image) => image.apps.length)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 1, 0]);
    // 36 apps, 25 shown; 2 images left out.
    expect(bounded!.moreApps).toBe(11);
    expect(bounded!.moreImages).toBe(2);
    const card = teamsDigest(bounded!) as { attachments: { content: { body: { text?: string }[] } }[] };
    expect(card.attachments[0]!.content.body.at(-1)!.text).toBe(
      '… and 11 more apps and 2 more images: GET /api/runs/cycle%3A2026-11-30T03%3A00%3A00.000Z',
    );
    const slack = slackDigest(bounded!);
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(slack.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: '… and 11 more apps and 2 more images: GET /api/runs/cycle%3A2026-11-30T03%3A00%3A00.000Z',
        },
      ],
    });
  });
});

describe('what a digest says', () => {
  const [payments] = cycleDigests({ teams: ['payments'] }, report);
  const [finance] = cycleDigests({ teams: ['finance'] }, report);

  it("Teams: one Adaptive Card, read by Microsoft's parser without a complaint, image by image", () => {
    const message = teamsDigest(payments!) as {
      type: string;
      attachments: {
        contentType: string;
        content: { version: string; body: unknown[]; actions?: unknown };
      }[];
    };
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = message.attachments[0]!.content;
    expect(adaptiveCardComplaints(card)).toEqual([]);
    expect(card.version).toBe('1.4');
    expect(card.actions).toBeUndefined();
    expect(card.body).toEqual([
      {
        type: 'TextBlock',
        text: 'basewatch digest for payments',
        weight: 'Bolder',
        size: 'Large',
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: 'Cycle cycle:2026-11-30T03:00:00.000Z, ended 2026-11-30T03:05:00.000Z',
        isSubtle: true,
        spacing: 'None',
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: 'base/node:20: moved 111111111111 → 222222222222',
        weight: 'Bolder',
        separator: true,
        wrap: true,
      },
      {
        type: 'FactSet',
        facts: [
          {
            title: 'linux/amd64',
            value: 'Alpine Linux v3.20 → Alpine Linux v3.21; 1 added, 1 removed, 5 upgraded, 0 downgraded',
          },
        ],
      },
      {
        type: 'TextBlock',
        text: [
          '- added apk-tools 2.14.6-r2',
          '- removed zlib 1.3.1-r1',
          '- upgraded musl 1.2.5-r0 → 1.2.5-r8',
          '- upgraded libcrypto3 3.3.2-r0 → 3.3.2-r4',
          '- upgraded libssl3 3.3.2-r0 → 3.3.2-r4',
          '- … and 2 more',
        ].join('\n'),
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: [
          '- orders-api (apps/orders-api:1): rebuilt as aaaaaaaaaaaa ([Log](https://ci.example.com/runs/1))',
          '- ledger (apps/ledger:2): rebuild skipped: already built on this base',
        ].join('\n'),
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: 'base/python:3: 333333333333 rejected by the gate',
        weight: 'Bolder',
        separator: true,
        wrap: true,
      },
      { type: 'FactSet', facts: [{ title: 'Reason', value: 'maxGrowth: grew 40% (limit 25%)' }] },
      {
        type: 'TextBlock',
        text: '- billing (apps/billing:1): not rebuilt, stays on the previous base',
        wrap: true,
      },
    ]);
  });

  it('Slack: text and Block Kit blocks, mrkdwn escaped, each app with its log', () => {
    const message = slackDigest(finance!);
    expect(message.text).toBe(
      'basewatch digest for finance: base/node:20: moved 111111111111 → 222222222222',
    );
    expect(message.blocks.map((block) => block.type)).toEqual([
      'header',
      'context',
      'divider',
      'section',
      'section',
    ]);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'basewatch digest for finance', emoji: false },
    });
    expect(message.blocks[3]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: [
          '*base/node:20: moved 111111111111 → 222222222222*',
          'linux/amd64: Alpine Linux v3.20 → Alpine Linux v3.21; 1 added, 1 removed, 5 upgraded, 0 downgraded',
          '• added apk-tools 2.14.6-r2',
          '• removed zlib 1.3.1-r1',
          '• upgraded musl 1.2.5-r0 → 1.2.5-r8',
          '• upgraded libcrypto3 3.3.2-r0 → 3.3.2-r4',
          '• upgraded libssl3 3.3.2-r0 → 3.3.2-r4',
          '… and 2 more',
        ].join('\n'),
      },
    });
    expect(message.blocks[4]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '• reports (apps/reports:3): rebuild failed: tests &lt;unit&gt; failed &amp; exited 1 <https://ci.example.com/runs/2|Log>',
      },
    });
  });

  it('CloudEvents: one basewatch.cycle.digest event whose id is the digest id', () => {
    expect(digestCloudEvent(finance!)).toEqual({
      specversion: '1.0',
      id: 'cycle:2026-11-30T03:00:00.000Z/digest/finance',
      source: '/basewatch',
      type: 'basewatch.cycle.digest',
      subject: '/teams/finance',
      time: ENDED,
      datacontenttype: 'application/json',
      data: {
        cycleId: CYCLE,
        team: 'finance',
        images: [{ ...report.images[0], apps: [report.images[0]!.apps[1]] }],
        moreImages: 0,
        moreApps: 0,
        link: '/api/runs/cycle%3A2026-11-30T03%3A00%3A00.000Z',
      },
    });
  });
});

describe('delivered through the WebhookNotifier', () => {
  let receiver: WebhookReceiver;
  const http = new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2, timeoutMs: 5_000 });
  const KEY = 'digest-signing-key';
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
    await http.close();
  });

  it('digest subscribers get nothing per event and one message per team per cycle; event subscribers the opposite', async () => {
    const notifier = new WebhookNotifier(
      [
        { url: `${receiver.url}/events` },
        {
          url: `${receiver.url}/teams?sig=query-token`,
          teams: ['payments', 'finance'],
          format: 'teams',
          digest: 'cycle',
          secret: 'env:DIGEST_KEY',
        },
        { url: `${receiver.url}/slack`, teams: ['finance'], format: 'slack', digest: 'cycle' },
        { url: `${receiver.url}/all`, digest: 'cycle' },
        { url: `${receiver.url}/per-event`, digest: 'event' },
      ],
      http,
      { DIGEST_KEY: KEY },
    );
    await notifier.publish([
      {
        specversion: '1.0',
        id: 'e1',
        source: '/basewatch',
        type: 'basewatch.rebuild.failed',
        subject: '/teams/finance/apps/reports',
        time: ENDED,
        datacontenttype: 'application/json',
        data: { app: 'reports', team: 'finance' },
      },
    ]);
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/events', '/per-event']);

    receiver.received.length = 0;
    await notifier.publishCycle(report);
    const byPath = (path: string) => receiver.received.filter((r) => r.path === path);
    expect(byPath('/events')).toEqual([]);
    expect(byPath('/per-event')).toEqual([]);

    const teams = byPath('/teams?sig=query-token');
    expect(teams.map((r) => r.headers['x-basewatch-digest-id'])).toEqual([
      'cycle:2026-11-30T03:00:00.000Z/digest/payments',
      'cycle:2026-11-30T03:00:00.000Z/digest/finance',
    ]);
    for (const request of teams) {
      expect(request.headers['x-basewatch-signature']).toBe(
        `sha256=${createHmac('sha256', KEY).update(request.body).digest('hex')}`,
      );
      expect(adaptiveCardComplaints(JSON.parse(request.body).attachments[0].content)).toEqual([]);
    }

    const slack = byPath('/slack');
    expect(slack).toHaveLength(1);
    expect(slack[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(slack[0]!.body).text).toBe(
      'basewatch digest for finance: base/node:20: moved 111111111111 → 222222222222',
    );

    const all = byPath('/all');
    expect(all).toHaveLength(1);
    expect(all[0]!.headers['content-type']).toBe('application/cloudevents-batch+json');
    const batch = JSON.parse(all[0]!.body);
    expect(batch.map((event: { id: string; type: string }) => [event.id, event.type])).toEqual([
      ['cycle:2026-11-30T03:00:00.000Z/digest/*', 'basewatch.cycle.digest'],
    ]);
    expect(batch[0].data.images.map((image: { image: string }) => image.image)).toEqual([
      'base/node:20',
      'base/python:3',
      'base/go:1',
    ]);
  });

  it("a receiver that stays down is named without the URL's query, and the others still get theirs", async () => {
    const down = await startWebhookReceiver();
    const downUrl = down.url;
    await down.stop();
    receiver.received.length = 0;
    const notifier = new WebhookNotifier(
      [
        { url: `${downUrl}/hook?token=never-logged`, digest: 'cycle', format: 'slack' },
        { url: `${receiver.url}/up`, digest: 'cycle', teams: ['payments'] },
      ],
      http,
      {},
    );
    const error = await notifier.publishCycle(report).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /^notify webhook notifications\.webhooks\[0\]: http:\/\/127\.0\.0\.1:\d+\/hook unreachable/,
    );
    expect(error?.message).not.toContain('never-logged');
    expect(receiver.received.map((r) => r.path)).toEqual(['/up']);
  });
});

describe('config digest field', () => {
  const config = (digest: string) => `version: 1
registry: { url: "oci-layout:/tmp/never" }
notifications:
  webhooks:
    - { url: "https://hooks.example.com/x", teams: [payments], format: teams, digest: ${digest} }
`;

  it('takes cycle and event; absent is per event', () => {
    expect(parseConfig(config('cycle'), 'basewatch.yaml').notifications.webhooks[0]?.digest).toBe('cycle');
    expect(parseConfig(config('event'), 'basewatch.yaml').notifications.webhooks[0]?.digest).toBe('event');
    const plain = parseConfig(
      'version: 1\nregistry: { url: "oci-layout:/tmp/never" }\nnotifications:\n  webhooks:\n    - { url: "https://hooks.example.com/x" }\n',
      'basewatch.yaml',
    );
    expect(plain.notifications.webhooks[0]?.digest).toBeUndefined();
  });

  it('refuses another value, naming the file, line and field', () => {
    try {
      parseConfig(config('daily'), 'basewatch.yaml');
      throw new Error('expected the config to be rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issue = (error as ConfigError).issues[0];
      expect(`${issue?.file}:${issue?.line}: ${issue?.path}: ${issue?.message}`).toBe(
        'basewatch.yaml:5: notifications.webhooks[0].digest: expected one of: event, cycle',
      );
    }
  });
});
