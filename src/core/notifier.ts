import type { BasewatchEvent, CycleReport } from './events.js';

/** Tells subscribers what happened (Event Grid topic, webhooks). */
export interface Notifier {
  /** Publishes a batch; resolves when every destination accepted it, rejects naming the one that did not. */
  publish(events: readonly BasewatchEvent[]): Promise<void>;
  /**
   * Optional: sends the end-of-cycle digests to the subscribers that take them (`digest: cycle`), who get
   * nothing from `publish`. Absent on destinations without digests (Event Grid).
   */
  publishCycle?(report: CycleReport): Promise<void>;
}
