// A run's history as a timeline: one span per activity attempt, sub-orchestration and timer, with its
// start, end, outcome and (for sub-orchestrations) the wave it was started in. Pure, so it is tested in Node.
import type { HistoryEntry } from '../../core/orchestrations.js';

export type SpanKind = 'activity' | 'orchestration' | 'timer';
export type SpanOutcome = 'running' | 'completed' | 'failed';

export interface Span {
  readonly kind: SpanKind;
  readonly name: string;
  readonly start: string;
  end?: string;
  outcome: SpanOutcome;
  /** 1 for the first attempt of an activity with this name and input, 2 for its first retry… */
  readonly attempt: number;
  /** Sub-orchestrations started together (before any of them ended) share a wave, from 1. */
  readonly wave?: number;
  readonly instanceId?: string;
  readonly input?: unknown;
  result?: unknown;
  failure?: string;
}

const STARTS: Record<string, SpanKind> = {
  TaskScheduled: 'activity',
  SubOrchestrationInstanceCreated: 'orchestration',
  TimerCreated: 'timer',
};
const ENDS: Record<string, { kind: SpanKind; outcome: SpanOutcome }> = {
  TaskCompleted: { kind: 'activity', outcome: 'completed' },
  TaskFailed: { kind: 'activity', outcome: 'failed' },
  SubOrchestrationInstanceCompleted: { kind: 'orchestration', outcome: 'completed' },
  SubOrchestrationInstanceFailed: { kind: 'orchestration', outcome: 'failed' },
  TimerFired: { kind: 'timer', outcome: 'completed' },
};

export function timeline(history: readonly HistoryEntry[]): Span[] {
  const spans: Span[] = [];
  const open = new Map<string, Span>();
  const attempts = new Map<string, number>();
  let wave = 0;
  let waveOpen = false;
  for (const entry of history) {
    const startKind = STARTS[entry.eventType];
    if (startKind) {
      let attempt = 1;
      if (startKind === 'activity') {
        const key = `${entry.name}\u0000${JSON.stringify(entry.input ?? null)}`;
        attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
      }
      if (startKind === 'orchestration' && !waveOpen) {
        wave += 1;
        waveOpen = true;
      }
      const span: Span = {
        kind: startKind,
        name: startKind === 'timer' ? 'timer' : (entry.name ?? '?'),
        start: entry.timestamp,
        outcome: 'running',
        attempt,
        ...(startKind === 'orchestration' && { wave }),
        ...(entry.instanceId !== undefined && { instanceId: entry.instanceId }),
        ...(entry.input !== undefined && { input: entry.input }),
      };
      spans.push(span);
      if (entry.taskId !== undefined) open.set(`${startKind}:${entry.taskId}`, span);
      continue;
    }
    const end = ENDS[entry.eventType];
    if (!end) continue;
    if (end.kind === 'orchestration') waveOpen = false;
    let span = entry.taskId === undefined ? undefined : open.get(`${end.kind}:${entry.taskId}`);
    if (!span) {
      // The Azure extension writes one row per finished task, with the scheduled time beside it.
      span = {
        kind: end.kind,
        name: end.kind === 'timer' ? 'timer' : (entry.name ?? '?'),
        start: entry.fireAt ?? entry.timestamp,
        outcome: 'running',
        attempt: 1,
        ...(entry.instanceId !== undefined && { instanceId: entry.instanceId }),
      };
      spans.push(span);
    }
    span.end = entry.timestamp;
    span.outcome = end.outcome;
    if (entry.result !== undefined) span.result = entry.result;
    if (entry.failure !== undefined) span.failure = entry.failure;
  }
  return spans;
}

/** Milliseconds from start to end (or to `now` while running). */
export function spanDuration(span: Pick<Span, 'start' | 'end'>, now: Date): number {
  const end = span.end === undefined ? now.getTime() : Date.parse(span.end);
  return Math.max(0, end - Date.parse(span.start));
}
