// Notifier on Azure: publishes basewatch's CloudEvents to an Event Grid custom topic.
import {
  AzureKeyCredential,
  EventGridPublisherClient,
  type EventGridPublisherClientOptions,
  type SendCloudEventInput,
} from '@azure/eventgrid';
import type { TokenCredential } from '@azure/identity';
import { resolveSecret, resolveValue } from '../config/secret.js';
import type { NotificationsConfig } from '../config/types.js';
import type { BasewatchEvent, EventData } from '../core/events.js';
import type { Notifier } from '../core/notifier.js';
import { isLoopbackHost } from '../registry/registry-url.js';
import { armOperationError } from './arm-errors.js';

/** At most this many events per publish request. */
const MAX_EVENTS_PER_REQUEST = 100;
/** Event Grid accepts at most 1 MB per publish request; the margin covers the SDK's envelope per event. */
const MAX_BYTES_PER_REQUEST = 1024 * 1024 - 64 * 1024;
const ENVELOPE_BYTES_PER_EVENT = 256;

export interface EventGridNotifierOptions {
  /** The topic endpoint, e.g. `https://my-topic.westeurope-1.eventgrid.azure.net/api/events`. */
  readonly endpoint: string;
  /** A topic access key, or the app's identity (needs the EventGrid Data Sender role). */
  readonly credential: { readonly key: string } | { readonly token: TokenCredential };
  readonly clientOptions?: EventGridPublisherClientOptions;
}

export class EventGridNotifier implements Notifier {
  private readonly client: EventGridPublisherClient<'CloudEvent'>;
  private readonly topic: string;

  constructor(options: EventGridNotifierOptions) {
    const credential =
      'key' in options.credential ? new AzureKeyCredential(options.credential.key) : options.credential.token;
    this.client = new EventGridPublisherClient(
      options.endpoint,
      'CloudEvent',
      credential,
      options.clientOptions ?? {},
    );
    // The endpoint's host names the topic in errors; its query (none expected) never is quoted.
    this.topic = safeHost(options.endpoint);
  }

  async publish(events: readonly BasewatchEvent[]): Promise<void> {
    for (const batch of batches(events)) {
      try {
        await this.client.send(batch.map(toSendInput));
      } catch (error) {
        throw armOperationError(`publish ${batch.length} events to Event Grid topic ${this.topic}`, error);
      }
    }
  }
}

/**
 * The notifier `notifications.eventGrid` asks for: its endpoint (literal or `env:NAME`), and its key when
 * one is configured, else `identity`. Resolve inside the activity that publishes, never in an orchestrator.
 */
export function eventGridNotifierFromConfig(
  config: NonNullable<NotificationsConfig['eventGrid']>,
  identity: TokenCredential,
  env: Readonly<Record<string, string | undefined>> = process.env,
  clientOptions?: EventGridPublisherClientOptions,
): EventGridNotifier {
  const endpoint = resolveValue(config.endpoint, env, 'Event Grid topic endpoint');
  const credential =
    config.key !== undefined
      ? { key: resolveSecret(config.key, env, 'Event Grid topic key') }
      : { token: identity };
  // Plain HTTP only to a topic on this machine (an emulator); anywhere else the key must travel over TLS.
  const loopback = endpoint.startsWith('http://') && isLoopbackHost(new URL(endpoint).host);
  const options = loopback ? { ...clientOptions, allowInsecureConnection: true } : clientOptions;
  return new EventGridNotifier({ endpoint, credential, ...(options && { clientOptions: options }) });
}

/** Consecutive batches of at most 100 events and about 1 MB; an event too large alone goes alone (and fails). */
function batches(events: readonly BasewatchEvent[]): BasewatchEvent[][] {
  const result: BasewatchEvent[][] = [];
  let current: BasewatchEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + ENVELOPE_BYTES_PER_EVENT;
    if (
      current.length > 0 &&
      (current.length >= MAX_EVENTS_PER_REQUEST || bytes + size > MAX_BYTES_PER_REQUEST)
    ) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

function toSendInput(event: BasewatchEvent): SendCloudEventInput<EventData> {
  return {
    id: event.id,
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: new Date(event.time),
    datacontenttype: event.datacontenttype,
    data: event.data,
  };
}

function safeHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return 'with an invalid endpoint URL';
  }
}
