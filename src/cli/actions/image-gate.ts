// The gate's operator commands, through the operator API (see operator-session.ts).
import type { ImageHistoryEntry } from '../../core/state.js';
import type { ImageMoveOutcome } from '../../workflows/types.js';
import type { HostCommandOptions } from '../host-options.js';
import { answerOf, type OperatorSession, withOperatorSession } from '../operator-session.js';

export interface GateCommandOptions extends HostCommandOptions {
  readonly json?: boolean;
  readonly to?: string;
  readonly digest?: string;
  readonly reason?: string;
  readonly timeout?: string;
}

const imagePath = (ref: string, action: string) => `/images/${encodeURIComponent(ref)}/${action}`;

export async function history(ref: string, options: GateCommandOptions): Promise<void> {
  const answer = await withOperatorSession(options, async (session) =>
    answerOf(await session.call({ method: 'GET', path: imagePath(ref, 'history') })),
  );
  if (options.json) return write(`${JSON.stringify(answer, null, 2)}\n`);
  const entries = answer.history as ImageHistoryEntry[];
  const lines = [`${answer.image}${answer.digest ? ` at ${answer.digest}` : ''}`];
  const pinned = answer.pinned as { digest: string; by: string; reason?: string } | undefined;
  if (pinned)
    lines.push(`  pinned at ${pinned.digest} by ${pinned.by}${pinned.reason ? `: ${pinned.reason}` : ''}`);
  if (entries.length === 0) lines.push('  no promotions, rejections, rollbacks or pins yet');
  for (const entry of entries) lines.push(describeEntry(entry));
  write(`${lines.join('\n')}\n`);
}

export async function rollback(ref: string, options: GateCommandOptions): Promise<void> {
  await move(
    ref,
    'rollback',
    { ...(options.to && { to: options.to }), ...(options.reason && { reason: options.reason }) },
    options,
  );
}

export async function promote(ref: string, options: GateCommandOptions): Promise<void> {
  await move(ref, 'promote', { digest: options.digest, reason: options.reason }, options);
}

export async function pin(ref: string, options: GateCommandOptions): Promise<void> {
  const answer = await withOperatorSession(options, async (session) =>
    answerOf(
      await session.call({
        method: 'POST',
        path: imagePath(ref, 'pin'),
        body: options.reason ? { reason: options.reason } : {},
      }),
    ),
  );
  const pinned = answer.pinned as { digest: string };
  write(`${answer.image} pinned at ${pinned.digest}\n`);
}

export async function unpin(ref: string, options: GateCommandOptions): Promise<void> {
  const answer = await withOperatorSession(options, async (session) =>
    answerOf(await session.call({ method: 'POST', path: imagePath(ref, 'unpin') })),
  );
  write(`${answer.image} unpinned: cycles promote upstream changes again\n`);
}

async function move(
  ref: string,
  action: 'rollback' | 'promote',
  body: Record<string, unknown>,
  options: GateCommandOptions,
): Promise<void> {
  const outcome = await withOperatorSession(options, async (session: OperatorSession) => {
    const started = answerOf(await session.call({ method: 'POST', path: imagePath(ref, action), body }));
    const instanceId = String(started.instanceId);
    const status = await session.waitFor(instanceId, Number(options.timeout ?? '3600') * 1000);
    if (status.runtimeStatus !== 'Completed')
      throw new Error(
        `${action} ${instanceId} ended ${status.runtimeStatus}: ${JSON.stringify(status.output)}`,
      );
    return { instanceId, ...(status.output as ImageMoveOutcome) };
  });
  if (options.json) write(`${JSON.stringify(outcome, null, 2)}\n`);
  else write(describeMove(outcome));
  if (outcome.status === 'refused' || outcome.rebuilds.some((rebuild) => rebuild.result === 'failed'))
    process.exitCode = 1;
}

function describeMove(outcome: ImageMoveOutcome & { instanceId: string }): string {
  if (outcome.status === 'refused')
    return `${outcome.action} of ${outcome.target} refused: ${outcome.reason}\n`;
  const verb = outcome.status === 'rolled_back' ? 'rolled back to' : 'promoted';
  const lines = [
    `${outcome.target} ${verb} ${outcome.digest}${outcome.previousDigest ? ` (was ${outcome.previousDigest})` : ''} — run ${outcome.instanceId}`,
    ...(outcome.status === 'rolled_back'
      ? ['  pinned: cycles will not promote upstream until `basewatch unpin`']
      : []),
    ...outcome.rebuilds.map(
      (r) => `  ${r.result.padEnd(9)} ${r.app} (team ${r.team})${r.reason ? `: ${r.reason}` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function describeEntry(entry: ImageHistoryEntry): string {
  const what = {
    promoted: `promoted ${entry.digest}`,
    rejected: `rejected ${entry.digest}`,
    rolled_back: `rolled back to ${entry.digest}`,
    pinned: `pinned at ${entry.digest}`,
    unpinned: `unpinned from ${entry.digest}`,
  }[entry.kind];
  const detail = [
    entry.previousDigest && `was ${entry.previousDigest}`,
    entry.keptAs && `kept as :${entry.keptAs}`,
    entry.reason,
  ]
    .filter(Boolean)
    .join('; ');
  return `  ${entry.at}  ${entry.by.padEnd(8)} ${what}${detail ? `  (${detail})` : ''}`;
}

function write(text: string): void {
  process.stdout.write(text);
}
