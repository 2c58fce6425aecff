// The one deadline of an HTTP exchange, shared by both transports (http-transport.ts, bulk-get.ts): the
// wait for the connection and the headers, then the idle limit on the body.

/**
 * Calls `expire` once `timeoutMs` pass without a `touch()`. A touch only notes the time (moving a timer
 * on every chunk of a 100 MiB copy was the costliest JS function in its profile); the timer, when it
 * fires, sets itself again for what is left. While `readerBehind()` holds, the bytes wait for their
 * reader, not for the server: no time counts.
 */
export class IdleTimer {
  private lastActive = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: () => void,
    private readonly readerBehind: () => boolean = () => false,
  ) {}

  /** Starts counting from now. */
  start(): void {
    this.touch();
    this.arm(this.timeoutMs);
  }

  /** Activity: the deadline moves on. A stable function, to be added and removed as a listener. */
  readonly touch = (): void => {
    this.lastActive = Date.now();
  };

  stop(): void {
    clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.fired, ms);
    this.timer.unref();
  }

  private readonly fired = (): void => {
    if (this.readerBehind()) this.touch();
    const idle = Date.now() - this.lastActive;
    if (idle < this.timeoutMs) this.arm(this.timeoutMs - idle);
    else this.expire();
  };
}
