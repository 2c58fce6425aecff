// Delivers events to subscribers' webhooks, filtered by team and type, signed when a secret is set: a
// CloudEvents batch, or for chat channels one Teams Adaptive Card or Slack Block Kit message per batch.
// Subscribers with `digest: cycle` get none of that, but one digest per team at the end of each cycle.
import { resolveSecret } from '../config/secret.js';
import type { WebhookSubscription } from '../config/types.js';
import type { BasewatchEvent, CycleReport } from '../core/events.js';
import type { Notifier } from '../core/notifier.js';
import type { HttpClient } from '../registry/http.js';
import { cycleDigests, digestCloudEvent } from './cycle-digest.js';
import { postJson } from './post-json.js';
import { signBody } from './signature.js';
import { slackDigest, slackMessage } from './slack-message.js';
import { teamsDigest, teamsMessage } from './teams-message.js';

export const CLOUDEVENTS_BATCH = 'application/cloudevents-batch+json';

/** Names the digest a request carries (the CloudEvent id too), so a receiver drops a repeated delivery. */
export const DIGEST_ID_HEADER = 'x-basewatch-digest-id';

/** The events a subscription wants: its types, and for app events its teams (image events have no team). */
export function eventsFor(
  subscription: WebhookSubscription,
  events: readonly BasewatchEvent[],
): BasewatchEvent[] {
  return events.filter((event) => {
    if (subscription.types && !subscription.types.includes(event.type)) return false;
    if (!subscription.teams) return true;
    return typeof event.data.team === 'string' && subscription.teams.includes(event.data.team);
  });
}

export class WebhookNotifier implements Notifier {
  constructor(
    private readonly subscriptions: readonly WebhookSubscription[],
    private readonly http: HttpClient,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  async publish(events: readonly BasewatchEvent[]): Promise<void> {
    await this.eachSubscription('event', async (subscription, index) => {
      const batch = eventsFor(subscription, events);
      if (batch.length === 0) return;
      const format = subscription.format ?? 'cloudevents';
      const body =
        format === 'teams' ? teamsMessage(batch) : format === 'slack' ? slackMessage(batch) : batch;
      await this.deliver(subscription, index, body, {});
    });
  }

  async publishCycle(report: CycleReport): Promise<void> {
    await this.eachSubscription('cycle', async (subscription, index) => {
      // One after another: a subscriber following several teams gets their digests in its own order.
      for (const digest of cycleDigests(subscription, report)) {
        const format = subscription.format ?? 'cloudevents';
        const body =
          format === 'teams'
            ? teamsDigest(digest)
            : format === 'slack'
              ? slackDigest(digest)
              : [digestCloudEvent(digest)];
        await this.deliver(subscription, index, body, { [DIGEST_ID_HEADER]: digest.id });
      }
    });
  }

  /** Runs `send` for every subscription of that digest kind; one failing does not stop the others. */
  private async eachSubscription(
    digest: 'event' | 'cycle',
    send: (subscription: WebhookSubscription, index: number) => Promise<void>,
  ): Promise<void> {
    const failures: string[] = [];
    await Promise.all(
      this.subscriptions.map(async (subscription, index) => {
        if ((subscription.digest ?? 'event') !== digest) return;
        try {
          await send(subscription, index);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }),
    );
    if (failures.length > 0) throw new Error(failures.join('; '));
  }

  private async deliver(
    subscription: WebhookSubscription,
    index: number,
    message: unknown,
    extra: Record<string, string>,
  ): Promise<void> {
    const format = subscription.format ?? 'cloudevents';
    const body = JSON.stringify(message);
    const headers: Record<string, string> = {
      'content-type': format === 'cloudevents' ? CLOUDEVENTS_BATCH : 'application/json',
      ...extra,
    };
    if (subscription.secret) {
      const secret = resolveSecret(
        subscription.secret,
        this.env,
        `secret of notifications.webhooks[${index}]`,
      );
      headers['x-basewatch-signature'] = signBody(body, secret);
    }
    await postJson(
      this.http,
      subscription.url,
      body,
      headers,
      `notify webhook notifications.webhooks[${index}]`,
    );
  }
}
