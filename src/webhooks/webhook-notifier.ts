// Delivers events to subscribers' webhooks, filtered by team and type, signed when a secret is set: a
// CloudEvents batch, or for chat channels one Teams Adaptive Card or Slack Block Kit message per batch.
import { resolveSecret } from '../config/secret.js';
import type { WebhookSubscription } from '../config/types.js';
import type { BasewatchEvent } from '../core/events.js';
import type { Notifier } from '../core/notifier.js';
import type { HttpClient } from '../registry/http.js';
import { postJson } from './post-json.js';
import { signBody } from './signature.js';
import { slackMessage } from './slack-message.js';
import { teamsMessage } from './teams-message.js';

export const CLOUDEVENTS_BATCH = 'application/cloudevents-batch+json';

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
    const failures: string[] = [];
    await Promise.all(
      this.subscriptions.map(async (subscription, index) => {
        const batch = eventsFor(subscription, events);
        if (batch.length === 0) return;
        try {
          await this.deliver(subscription, index, batch);
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
    batch: BasewatchEvent[],
  ): Promise<void> {
    const format = subscription.format ?? 'cloudevents';
    const body = JSON.stringify(
      format === 'teams' ? teamsMessage(batch) : format === 'slack' ? slackMessage(batch) : batch,
    );
    const headers: Record<string, string> = {
      'content-type': format === 'cloudevents' ? CLOUDEVENTS_BATCH : 'application/json',
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
