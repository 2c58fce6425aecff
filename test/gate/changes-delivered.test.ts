// What changed, as teams receive it: two Alpine releases with real apk databases go through a sync, and
// the delivered CloudEvents, Teams Adaptive Card and Slack message carry the exact package changes.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Orchestration } from '../../src/workflows/names.js';
import { APK_3_20, APK_3_21, OS_RELEASE_ALPINE_3_20, OS_RELEASE_ALPINE_3_21 } from '../changes/databases.js';
import { fsLayer, imageOf } from '../changes/fs-layer.js';
import { pushImage } from '../support/images.js';
import { deliveredEvents, TEST_TIMING } from '../workflows/harness.js';
import { gateWorld } from './gate-world.js';

const AdaptiveCards = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: { eventCount: number }): void };
  SerializationContext: new () => { eventCount: number };
};

const world = gateWorld();
const { harness: startInWorld } = world;

const alpine = (release: string, db: string) =>
  imageOf([fsLayer({ 'etc/os-release': release, 'lib/apk/db/installed': db })]);

describe('package changes delivered', () => {
  it('image.imported and the Teams and Slack deliveries carry the exact apk changes of a base update', async () => {
    const h = await startInWorld({
      yaml: `
version: 1
registry: { url: "http://${world.mirror.host}" }
images:
  - source: ${world.upstream.host}/library/alpine
    tags: ["3"]
    target: base/alpine
    gate: { checks: [ { platforms: [linux/amd64] } ] }
notifications:
  webhooks:
    - { url: "${world.hooks.url}/events" }
    - { url: "${world.hooks.url}/teams", format: teams }
    - { url: "${world.hooks.url}/slack", format: slack }
`,
    });
    const cycle = async () => {
      const id = await h.engine.start(Orchestration.syncCycle, {
        input: { trigger: 'manual', timing: TEST_TIMING },
      });
      expect((await h.engine.waitForCompletion(id, 30_000)).runtimeStatus).toBe('Completed');
    };
    const v320 = alpine(OS_RELEASE_ALPINE_3_20, APK_3_20);
    await pushImage(world.upstream.url, 'library/alpine', '3', v320);
    await cycle();
    const v321 = alpine(OS_RELEASE_ALPINE_3_21, APK_3_21);
    await pushImage(world.upstream.url, 'library/alpine', '3', v321);
    await cycle();

    const imported = deliveredEvents(world.hooks, '/events').filter(
      (e) => e.type === 'basewatch.image.imported',
    );
    expect(imported).toHaveLength(2);
    const changes = imported[1]!.data.changes as {
      from: string;
      to: string;
      platforms: { platform: string; os: unknown; counts: unknown }[];
      packages: { kind: string; name: string; from?: string; to?: string }[];
    };
    expect(changes.from).toBe(v320.digest);
    expect(changes.to).toBe(v321.digest);
    expect(changes.platforms).toMatchObject([
      {
        platform: 'linux/amd64',
        os: { from: 'Alpine Linux v3.20', to: 'Alpine Linux v3.21', changed: true },
        counts: { added: 1, removed: 1, upgraded: 3, downgraded: 1 },
      },
    ]);
    // apk orders -r5 before -r29: busybox went back.
    expect([...changes.packages].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        kind: 'upgraded',
        name: 'alpine-baselayout',
        architecture: 'x86_64',
        from: '3.6.5-r0',
        to: '3.6.8-r1',
      },
      { kind: 'added', name: 'apk-tools', architecture: 'x86_64', to: '2.14.6-r2' },
      { kind: 'downgraded', name: 'busybox', architecture: 'x86_64', from: '1.36.1-r29', to: '1.36.1-r5' },
      { kind: 'upgraded', name: 'libcrypto3', architecture: 'x86_64', from: '3.3.2-r0', to: '3.3.2-r4' },
      { kind: 'upgraded', name: 'musl', architecture: 'x86_64', from: '1.2.5-r0', to: '1.2.5-r8' },
      { kind: 'removed', name: 'zlib', architecture: 'x86_64', from: '1.3.1-r1' },
    ]);

    const teams = world.hooks.received.filter((r) => r.path === '/teams').map((r) => JSON.parse(r.body));
    const cards = teams
      .map((message) => message.attachments[0].content)
      .filter((content) => content.body[0].text === 'base/alpine:3: imported');
    expect(cards).toHaveLength(2);
    const card = cards[1];
    const context = new AdaptiveCards.SerializationContext();
    new AdaptiveCards.AdaptiveCard().parse(card, context);
    expect(context.eventCount).toBe(0);
    const cardText = JSON.stringify(card);
    for (const line of ['apk-tools', 'Alpine Linux v3.20 → Alpine Linux v3.21', '1.36.1-r29 → 1.36.1-r5'])
      expect(cardText).toContain(line);

    const slack = world.hooks.received.filter((r) => r.path === '/slack').map((r) => JSON.parse(r.body));
    const message = slack.filter((m) => m.text.startsWith('base/alpine:3: imported')).at(-1);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks)).toContain('1 added, 1 removed, 3 upgraded, 1 downgraded');
  });
});
