import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRule } from './fault-rules.js';

/** Copies the registry's body to the client, corrupting or cutting it as the rule says. */
export function sendBody(answer: IncomingMessage, res: ServerResponse, rule: FaultRule): void {
  if (!rule.corruptBody && rule.cutAfterBytes === undefined) {
    answer.pipe(res);
    return;
  }
  const length = Number(answer.headers['content-length']);
  // Flip a byte in the middle when the length is known, so the body still looks plausible.
  const flipAt = rule.corruptBody ? (Number.isFinite(length) && length > 0 ? Math.floor(length / 2) : 0) : -1;
  const cutAt = rule.cutAfterBytes ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  if (cutAt === 0) {
    answer.destroy();
    res.write(Buffer.alloc(0), () => res.socket?.destroy());
    return;
  }
  answer.on('data', (chunk: Buffer) => {
    let piece = chunk;
    if (flipAt >= sent && flipAt < sent + piece.length) {
      piece = Buffer.from(piece);
      piece[flipAt - sent] = (piece[flipAt - sent] ?? 0) ^ 0xff;
    }
    if (sent + piece.length >= cutAt) {
      const head = piece.subarray(0, cutAt - sent);
      sent = cutAt;
      answer.destroy();
      res.write(head, () => res.socket?.destroy());
      return;
    }
    sent += piece.length;
    if (!res.write(piece)) {
      answer.pause();
      res.once('drain', () => answer.resume());
    }
  });
  answer.on('end', () => {
    if (sent < cutAt) res.end();
  });
}
