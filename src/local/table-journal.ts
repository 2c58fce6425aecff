// The Table database's write-ahead journal: one line per change (or per batch), appended to numbered
// segment files and on disk before the write it records is answered. Lines that arrive while a flush is
// under way share the next one (group commit: one write and one fdatasync for all of them). A checkpoint
// starts a new segment, saves the whole database, then drops the segments before it.
import { type FileHandle, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const SEGMENT = /^table-journal\.(\d+)\.ndjson$/;

function segmentFile(dir: string, segment: number): string {
  return join(dir, `table-journal.${String(segment).padStart(8, '0')}.ndjson`);
}

async function segmentsIn(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((name) => SEGMENT.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface JournalContents {
  /** Segment numbers found, oldest first. */
  readonly segments: readonly number[];
  /** Every complete line, parsed, in the order written. */
  readonly lines: readonly unknown[];
  /** Last lines cut off by a kill in the middle of an append (never answered, so left out). */
  readonly tornLines: number;
}

/** Reads the journal's segments in `dir`. A line that is not JSON anywhere but at a segment's end is damage, not a kill: it throws. */
export async function readJournal(dir: string): Promise<JournalContents> {
  const segments = await segmentsIn(dir);
  const lines: unknown[] = [];
  let tornLines = 0;
  for (const segment of segments) {
    const file = segmentFile(dir, segment);
    const text = await readFile(file, 'utf8');
    const rows = text.split('\n');
    for (const [index, row] of rows.entries()) {
      if (row === '') continue;
      try {
        lines.push(JSON.parse(row));
      } catch (error) {
        const last = rows.slice(index + 1).every((rest) => rest === '');
        if (!last) throw new Error(`Table journal ${file}, line ${index + 1}: not JSON`, { cause: error });
        tornLines++;
      }
    }
  }
  return { segments, lines, tornLines };
}

interface Waiter {
  readonly upTo: number;
  resolve(): void;
  reject(error: Error): void;
}

export class TableJournal {
  private segment: number;
  private readonly files = new Map<number, FileHandle>();
  private queue: { segment: number; text: string }[] = [];
  private appended = 0;
  private flushed = 0;
  private waiters: Waiter[] = [];
  private flushing = false;
  private scheduled = false;
  /** A failed append leaves the file's end unknown: nothing more is written or answered after it. */
  private failure: Error | undefined;
  private bytes = 0;

  /** Appends go to segment `first` (a new file) and on. */
  constructor(
    private readonly dir: string,
    first: number,
  ) {
    this.segment = first;
  }

  /** Characters appended since the last rotate: how much a start would replay. */
  get size(): number {
    return this.bytes;
  }

  /** Queues one line (JSON, no newline); on disk at the next flush. */
  append(line: string): void {
    this.queue.push({ segment: this.segment, text: `${line}\n` });
    this.appended++;
    this.bytes += line.length + 1;
    this.schedule();
  }

  /** Resolves once every line appended before the call is on disk. */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const upTo = this.appended;
    if (this.flushed >= upTo) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  /** Later lines go to a new segment; returns its number (the segments below it may go once saved). */
  rotate(): number {
    this.segment++;
    this.bytes = 0;
    return this.segment;
  }

  /** Removes the segments below `segment` once their lines are written (a checkpoint holds them). */
  async dropBefore(segment: number): Promise<void> {
    await this.durable();
    for (const old of await segmentsIn(this.dir)) {
      if (old >= segment) continue;
      await this.files.get(old)?.close();
      this.files.delete(old);
      await unlink(segmentFile(this.dir, old));
    }
  }

  async close(): Promise<void> {
    await this.durable().catch(() => undefined);
    for (const file of this.files.values()) await file.close();
    this.files.clear();
  }

  // Flushing waits for the end of this turn of the event loop, so the changes of one turn share a write.
  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0 && !this.failure) {
      const taken = this.queue;
      this.queue = [];
      const upTo = this.appended;
      try {
        for (const [segment, text] of bySegment(taken)) {
          const file = await this.file(segment);
          await file.write(text);
          await file.datasync();
        }
        this.flushed = upTo;
      } catch (error) {
        this.failure = new Error(`Table journal: an append failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      this.settleWaiters();
    }
    this.flushing = false;
  }

  private settleWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (this.failure) waiter.reject(this.failure);
      else if (waiter.upTo <= this.flushed) waiter.resolve();
      else this.waiters.push(waiter);
    }
  }

  private async file(segment: number): Promise<FileHandle> {
    let file = this.files.get(segment);
    if (!file) {
      file = await open(segmentFile(this.dir, segment), 'a');
      this.files.set(segment, file);
      // The new file's name must survive too, not only its bytes.
      const dir = await open(this.dir, 'r');
      await dir.sync().finally(() => dir.close());
    }
    return file;
  }
}

/** Runs of consecutive lines of one segment, joined: one write each. */
function bySegment(lines: readonly { segment: number; text: string }[]): [number, string][] {
  const runs: [number, string][] = [];
  for (const { segment, text } of lines) {
    const last = runs.at(-1);
    if (last && last[0] === segment) last[1] += text;
    else runs.push([segment, text]);
  }
  return runs;
}
