import type { BasewatchEvent } from './events.js';

/** Tells subscribers what happened (Event Grid topic, webhooks). */
export interface Notifier {
  /** Publishes a batch; resolves when every destination accepted it, rejects naming the one that did not. */
  publish(events: readonly BasewatchEvent[]): Promise<void>;
}
