// What a copy reports while it runs, so a terminal can draw a bar and a log can print lines.

export interface CopyProgress {
  readonly blobsTotal: number;
  readonly blobsDone: number;
  readonly bytesTotal: number;
  readonly bytesDone: number;
  /** Blobs already in the target (HEAD) or mounted from another repository: no bytes moved. */
  readonly blobsSkipped: number;
  readonly phase: 'blobs' | 'manifests' | 'done';
}

export type ProgressListener = (progress: CopyProgress) => void;

/** Counts blobs and bytes and tells the listener on every change. */
export class ProgressTracker {
  private state: { -readonly [K in keyof CopyProgress]: CopyProgress[K] };

  constructor(
    blobsTotal: number,
    bytesTotal: number,
    private readonly listener: ProgressListener | undefined,
  ) {
    this.state = { blobsTotal, blobsDone: 0, bytesTotal, bytesDone: 0, blobsSkipped: 0, phase: 'blobs' };
    this.emit();
  }

  bytes(count: number): void {
    this.state.bytesDone += count;
    this.emit();
  }

  /** A blob finished; `unsent` bytes of it were never streamed (skipped, mounted, or retried). */
  blobDone(skipped: boolean, unsent: number): void {
    this.state.blobsDone += 1;
    if (skipped) this.state.blobsSkipped += 1;
    this.state.bytesDone += unsent;
    this.emit();
  }

  /** A failed attempt's bytes are taken back, so a retry does not count twice. */
  rewind(count: number): void {
    this.state.bytesDone -= count;
    this.emit();
  }

  phase(phase: CopyProgress['phase']): void {
    this.state.phase = phase;
    this.emit();
  }

  private emit(): void {
    this.listener?.({ ...this.state });
  }
}
