// One chain of steps per instance, so an instance never runs two steps at once (episodes, starts,
// terminations), while different instances run side by side.
import type { Logger } from '../../core/logger.js';

export class InstanceChains {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Queues work on an instance's chain, after whatever it is doing now; a failure does not break the chain. */
  enqueue(instanceId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(instanceId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch((error: unknown) => {
      this.logger.error('orchestration engine step failed', { instanceId, error: (error as Error).message });
    });
    this.chains.set(instanceId, settled);
    void settled.then(() => {
      if (this.chains.get(instanceId) === settled) this.chains.delete(instanceId);
    });
    return next;
  }

  /** Resolves when every step queued so far has settled. */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }
}
