// Draws copy progress: one bar redrawn in place on a terminal, plain lines in logs and pipes.
import type { CopyProgress } from '../registry/copy-progress.js';

const BAR_WIDTH = 30;
const REDRAW_MS = 100;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function progressBar(p: CopyProgress): string {
  const ratio = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p.phase === 'blobs' ? 0 : 1;
  const filled = Math.round(ratio * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}  blobs ${p.blobsDone}/${p.blobsTotal}`;
}

/** A listener for copyImage's onProgress, and `finish` to end the drawing. */
export function progressView(
  out: { write(text: string): unknown },
  isTty: boolean,
): { onProgress: (p: CopyProgress) => void; finish: () => void } {
  let lastDraw = 0;
  let last: CopyProgress | undefined;
  let blobsReported = -1;
  let phase = '';
  const draw = (p: CopyProgress) => out.write(`\r${progressBar(p)}\u001b[K`);
  return {
    onProgress(p) {
      last = p;
      if (isTty) {
        const now = Date.now();
        if (now - lastDraw >= REDRAW_MS || p.phase !== 'blobs') {
          lastDraw = now;
          draw(p);
        }
        return;
      }
      if (p.blobsDone !== blobsReported && p.phase === 'blobs') {
        blobsReported = p.blobsDone;
        out.write(
          `blobs ${p.blobsDone}/${p.blobsTotal} (${p.blobsSkipped} already there or mounted), ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}\n`,
        );
      }
      if (p.phase !== phase && p.phase !== 'blobs')
        out.write(`${p.phase === 'manifests' ? 'writing manifests' : 'done'}\n`);
      phase = p.phase;
    },
    finish() {
      if (isTty && last) {
        draw(last);
        out.write('\n');
      }
    },
  };
}
