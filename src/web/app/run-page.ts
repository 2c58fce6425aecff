// A run: status, input, output and custom status, and the timeline of its activities (each attempt),
// timers and sub-orchestrations (by wave, each a link to that rebuildApp), errors in full. Refreshed until
// it finishes. Terminate it while it runs; rerun a finished sync's failed rebuilds.
import { formatDuration, formatTime } from '../model/format.js';
import { type Span, spanDuration, timeline } from '../model/timeline.js';
import { type OrchestrationStatus, TERMINAL_STATUSES } from '../model/views.js';
import { getJson, postJson } from './api.js';
import { act } from './confirm.js';
import { append, h, jsonBlock, statusBadge } from './dom.js';

const REFRESH_MS = 1500;

export async function runPage(main: HTMLElement, instanceId: string, signal: AbortSignal): Promise<void> {
  document.title = `Run ${instanceId} · basewatch`;
  const run = await getJson<OrchestrationStatus>(`/runs/${encodeURIComponent(instanceId)}`);
  const finished = TERMINAL_STATUSES.includes(run.runtimeStatus);
  const spans = timeline(run.history ?? []);
  const now = finished ? new Date(run.lastUpdatedTime) : new Date();
  const failure = failureOf(run);
  main.replaceChildren();
  append(main, [
    h('h1', {}, `Run ${run.instanceId}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Orchestration'),
      h('dd', {}, run.name),
      h('dt', {}, 'Status'),
      h('dd', { id: 'run-status' }, statusBadge(run.runtimeStatus)),
      h('dt', {}, 'Created'),
      h('dd', {}, formatTime(run.createdTime)),
      h('dt', {}, 'Updated'),
      h('dd', {}, formatTime(run.lastUpdatedTime)),
      run.parentInstanceId !== undefined && h('dt', {}, 'Started by'),
      run.parentInstanceId !== undefined &&
        h(
          'dd',
          {},
          h('a', { href: `#/runs/${encodeURIComponent(run.parentInstanceId)}` }, run.parentInstanceId),
        ),
    ),
    h('div', { class: 'actions' }, ...runActions(run, spans)),
    failure !== undefined && h('h2', {}, 'Error'),
    failure !== undefined && h('pre', { class: 'failure', 'aria-label': 'Error', tabindex: 0 }, failure),
    h('h2', {}, 'Timeline'),
    spans.length === 0 ? h('p', {}, 'No activity yet.') : timelineTable(run, spans, now),
    h('h2', {}, 'Input'),
    jsonBlock(run.input ?? null, 'Input'),
    h('h2', {}, 'Output'),
    jsonBlock(run.output ?? null, 'Output'),
    run.customStatus !== undefined && h('h2', {}, 'Custom status'),
    run.customStatus !== undefined && jsonBlock(run.customStatus, 'Custom status'),
  ]);
  if (!finished) {
    setTimeout(() => {
      if (!signal.aborted) runPage(main, instanceId, signal).catch(() => undefined);
    }, REFRESH_MS);
  }
}

function runActions(run: OrchestrationStatus, spans: readonly Span[]): HTMLElement[] {
  const buttons: HTMLElement[] = [];
  const id = encodeURIComponent(run.instanceId);
  if (!TERMINAL_STATUSES.includes(run.runtimeStatus)) {
    buttons.push(
      h(
        'button',
        {
          type: 'button',
          id: 'terminate',
          onclick: () =>
            act(
              'Terminate run',
              `Stop ${run.instanceId} now? Work it started may be left half done.`,
              () =>
                postJson<{ reason: string }>(`/runs/${id}/terminate`, {
                  reason: 'terminated from the console',
                }),
              () => 'termination requested',
            ),
        },
        'Terminate',
      ),
    );
  }
  const failedRebuilds = spans.filter((span) => span.kind === 'orchestration' && span.outcome === 'failed');
  const failedOutcomes = rebuildFailures(run.output);
  if (
    run.name === 'syncImage' &&
    TERMINAL_STATUSES.includes(run.runtimeStatus) &&
    failedRebuilds.length + failedOutcomes > 0
  ) {
    buttons.push(
      h(
        'button',
        {
          type: 'button',
          id: 'rerun',
          onclick: () =>
            act(
              'Rerun failed rebuilds',
              `Start the failed rebuilds of ${run.instanceId} again?`,
              () => postJson<{ restarted: string[] }>(`/runs/${id}/rerun`),
              (result) => `restarted ${result.restarted.length}: ${result.restarted.join(', ')}`,
            ),
        },
        'Rerun failed rebuilds',
      ),
    );
  }
  return buttons;
}

/** What went wrong, as plain text: a failed run's output, or the reason an outcome gives for failing. */
function failureOf(run: OrchestrationStatus): string | undefined {
  if (run.runtimeStatus === 'Failed' || run.runtimeStatus === 'Terminated')
    return typeof run.output === 'string' ? run.output : JSON.stringify(run.output ?? null);
  const { result, status, reason } = (run.output ?? {}) as Record<string, unknown>;
  const failed = result === 'failed' || (typeof status === 'string' && /fail|reject/.test(status));
  return failed && typeof reason === 'string' ? reason : undefined;
}

/** How many rebuilds a sync's output reports as failed. */
function rebuildFailures(output: unknown): number {
  const rebuilds = (output as { rebuilds?: unknown } | undefined)?.rebuilds;
  return Array.isArray(rebuilds)
    ? rebuilds.filter((r) => (r as { result?: unknown }).result === 'failed').length
    : 0;
}

function timelineTable(run: OrchestrationStatus, spans: readonly Span[], now: Date): HTMLElement {
  const t0 = Date.parse(run.createdTime);
  const total = Math.max(1, now.getTime() - t0);
  const body = document.createDocumentFragment();
  for (const span of spans) {
    const duration = spanDuration(span, now);
    const bar = h('div', { class: `bar ${span.outcome}` });
    bar.style.marginLeft = `${Math.min(100, (100 * Math.max(0, Date.parse(span.start) - t0)) / total)}%`;
    bar.style.width = `${Math.max(0.5, (100 * duration) / total)}%`;
    const name =
      span.kind === 'orchestration' && span.instanceId !== undefined
        ? h('a', { href: `#/runs/${encodeURIComponent(span.instanceId)}` }, `${span.name} ${span.instanceId}`)
        : span.name;
    body.appendChild(
      h(
        'tr',
        {
          class: `span ${span.kind} ${span.outcome}`,
          ...(span.wave !== undefined && { 'data-wave': span.wave }),
        },
        h('td', {}, span.kind === 'orchestration' ? `wave ${span.wave}` : span.kind),
        h('th', { scope: 'row' }, name),
        h('td', {}, span.attempt > 1 ? `retry ${span.attempt - 1}` : ''),
        h('td', {}, statusBadge(span.outcome)),
        h('td', {}, formatTime(span.start)),
        h('td', {}, formatDuration(duration)),
        h('td', { class: 'gantt' }, bar),
      ),
    );
    if (span.failure !== undefined) {
      body.appendChild(
        h(
          'tr',
          { class: 'failure-row' },
          h('td', { colspan: 7 }, h('pre', { class: 'failure' }, span.failure)),
        ),
      );
    }
  }
  return h(
    'table',
    { class: 'grid timeline', 'aria-label': 'Timeline of the run' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Kind', 'Name', 'Attempt', 'Outcome', 'Started', 'Duration', 'When'].map((t) =>
          h('th', { scope: 'col' }, t),
        ),
      ),
    ),
    h('tbody', {}, body),
  );
}
