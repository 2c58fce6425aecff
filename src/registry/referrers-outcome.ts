// What a referrers copy reports, kept small: it travels in the Importer's result, events and
// orchestration history, so the lists are bounded and the totals count the rest.
import type { CopiedReferrer, LostReferrers, ReferrerPolicy, ReferrersOutcome } from '../core/referrers.js';

/** Entries each list holds at most. */
export const MAX_LISTED = 64;

export class OutcomeRecorder {
  private readonly copied: CopiedReferrer[] = [];
  private readonly lost: LostReferrers[] = [];
  copiedTotal = 0;
  private lostTotal = 0;
  private skipped = 0;

  constructor(private readonly policy: ReferrerPolicy) {}

  copy(entry: CopiedReferrer): void {
    this.copiedTotal++;
    if (this.copied.length < MAX_LISTED) this.copied.push(entry);
  }

  lose(subject: string, reason: string): void {
    this.lostTotal++;
    if (this.lost.length < MAX_LISTED) this.lost.push({ subject, reason });
  }

  skip(): void {
    this.skipped++;
  }

  result(): ReferrersOutcome {
    return {
      policy: this.policy,
      copied: [...this.copied],
      copiedTotal: this.copiedTotal,
      skipped: this.skipped,
      lost: [...this.lost],
      lostTotal: this.lostTotal,
    };
  }
}
