// Durable timers of every instance, armed in-process: a timer never fires before its time, and one
// longer than setTimeout allows is re-armed in steps.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class DurableTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly now: () => Date) {}

  arm(instanceId: string, id: number, fireAt: Date, fire: () => void): void {
    const key = `${instanceId}#${id}`;
    const delay = Math.max(0, fireAt.getTime() - this.now().getTime());
    const timer = setTimeout(
      () => {
        this.timers.delete(key);
        // setTimeout may fire a millisecond early by the wall clock.
        if (this.now().getTime() < fireAt.getTime()) return this.arm(instanceId, id, fireAt, fire);
        fire();
      },
      Math.min(delay, MAX_TIMEOUT_MS),
    );
    this.timers.set(key, timer);
  }

  /** Drops the instance's timers: it finished, was terminated, purged or started afresh. */
  clear(instanceId: string): void {
    for (const [key, timer] of this.timers) {
      if (key.startsWith(`${instanceId}#`)) {
        clearTimeout(timer);
        this.timers.delete(key);
      }
    }
  }

  clearAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
