// Azurite's Table database made durable by a write-ahead journal rather than by saving all of it for
// every write: each change is journaled (and flushed) before the write is answered; the whole database is
// saved only once the journal has grown as large as the last save (so saving costs at most as much again
// as journaling), and at a clean stop. A start replays what the journal holds onto the last save.
import { stat } from 'node:fs/promises';
import type { Logger } from '../core/logger.js';
import { applyChanges, type LokiDatabase, type TableChange, watchChanges } from './loki-changes.js';
import { readJournal, TableJournal } from './table-journal.js';
import { serializeQuickly, writeSnapshot } from './table-snapshot.js';

/** Below this the journal is never worth a save of the whole database. */
const MIN_JOURNAL_BEFORE_SAVE = 4 * 1024 * 1024;

export interface JournaledLoki extends LokiDatabase {
  autosaveDisable(): void;
  autosave: boolean;
}

export interface JournalPlace {
  /** The directory of the database file and the journal's segments. */
  readonly dir: string;
  /** The file Azurite loads at start. */
  readonly databaseFile: string;
  readonly logger?: Logger;
}

export class JournaledDatabase {
  /** Changes of the batch transactions under way: journaled as one line when the last one ends. */
  private batch: { depth: number; changes: string[]; ended: Promise<void>; end(): void } | undefined;
  private saving: Promise<void> | undefined;

  private constructor(
    private readonly db: JournaledLoki,
    private readonly journal: TableJournal,
    private readonly place: JournalPlace,
    private savedSize: number,
  ) {}

  /**
   * Replays the journal in `place.dir` onto `db` (just loaded from its file), saves and drops the journal if
   * it held anything, then journals every change from now on. Loki's own autosave is stopped: the journal
   * makes it needless.
   */
  static async open(db: JournaledLoki, place: JournalPlace): Promise<JournaledDatabase> {
    db.autosaveDisable();
    db.autosave = false;
    const { segments, lines, tornLines } = await readJournal(place.dir);
    applyChanges(db, (lines as TableChange[][]).flat());
    if (tornLines > 0)
      place.logger?.warn(
        'Table journal: an append cut off by a stop was left out (it had not been answered)',
        {
          tornLines,
        },
      );
    const savedSize = await stat(place.databaseFile).then(
      (file) => file.size,
      () => 0,
    );
    const journaled = new JournaledDatabase(
      db,
      new TableJournal(place.dir, (segments.at(-1) ?? 0) + 1),
      place,
      savedSize,
    );
    if (segments.length > 0) await journaled.save();
    watchChanges(db, (change) => journaled.record(change));
    return journaled;
  }

  /** Resolves once every change made so far is on disk (a batch under way: once it has ended). */
  async durable(): Promise<void> {
    while (this.batch) await this.batch.ended;
    await this.journal.durable();
  }

  beginBatch(): void {
    if (this.batch) {
      this.batch.depth++;
      return;
    }
    let end = () => {};
    const ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.batch = { depth: 1, changes: [], ended, end };
  }

  endBatch(): void {
    const batch = this.batch;
    if (!batch || --batch.depth > 0) return;
    this.batch = undefined;
    if (batch.changes.length > 0) this.journal.append(`[${batch.changes.join(',')}]`);
    batch.end();
    this.saveIfDue();
  }

  /** Saves the database, then drops the journal the save holds; one save at a time. */
  save(): Promise<void> {
    this.saving ??= this.saveNow().finally(() => {
      this.saving = undefined;
    });
    return this.saving;
  }

  /** Everything on disk, saved, the journal closed: the next start replays nothing. */
  async close(): Promise<void> {
    await this.saving;
    await this.save();
    await this.journal.close();
  }

  private record(change: string): void {
    if (this.batch) {
      this.batch.changes.push(change);
      return;
    }
    this.journal.append(`[${change}]`);
    this.saveIfDue();
  }

  private saveIfDue(): void {
    if (this.saving || this.journal.size < Math.max(MIN_JOURNAL_BEFORE_SAVE, this.savedSize)) return;
    this.save().catch((error: unknown) =>
      this.place.logger?.warn('Table journal: saving the database failed; the journal keeps every change', {
        error: (error as Error).message,
      }),
    );
  }

  private async saveNow(): Promise<void> {
    // A save must not hold half a batch: the journal holds a batch whole or not at all.
    while (this.batch) await this.batch.ended;
    // The new segment and the text are taken in one turn: the save holds exactly the segments before it.
    const first = this.journal.rotate();
    const text = serializeQuickly(this.db);
    await writeSnapshot(this.place.databaseFile, text);
    this.savedSize = text.length;
    await this.journal.dropBefore(first);
  }
}
