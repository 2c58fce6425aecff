// The resident set of this process, sampled on a timer: the peak of each phase and of the whole run.
// A timer, not process.resourceUsage().maxRSS, because a phase's own peak is wanted, not the process's.
export class RssSampler {
  private readonly timer: NodeJS.Timeout;
  private phasePeak = 0;
  private overallPeak = 0;
  private samples = 0;

  constructor(intervalMs = 100) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    const rss = process.memoryUsage.rss();
    this.samples++;
    this.phasePeak = Math.max(this.phasePeak, rss);
    this.overallPeak = Math.max(this.overallPeak, rss);
  }

  /** The peak since the last call (MiB), and starts the next phase. */
  endPhase(): number {
    this.sample();
    const peak = this.phasePeak;
    this.phasePeak = 0;
    return mib(peak);
  }

  /** The peak of the whole run (MiB) and how many samples it is the maximum of. */
  overall(): { peakMiB: number; samples: number } {
    this.sample();
    return { peakMiB: mib(this.overallPeak), samples: this.samples };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function mib(bytes: number): number {
  return Number((bytes / 2 ** 20).toFixed(1));
}
