// Runs: newest first, filtered by status, name and creation time, one page at a time (the API's
// continuation token; the console never asks for everything), refreshed while a run on the page is going.
// Purging old runs starts here.
import { formatTime } from '../model/format.js';
import { RUN_NAMES, RUNTIME_STATUSES, type RunPageView, TERMINAL_STATUSES } from '../model/views.js';
import { getJson, postJson } from './api.js';
import { act } from './confirm.js';
import { h, statusBadge } from './dom.js';

export const RUNS_PAGE_SIZE = 25;
const REFRESH_MS = 2000;

/** `params`: status, name, from, to (datetime-local values, UTC), page (a continuation token). */
export async function runsPage(
  main: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  document.title = 'Runs · basewatch';
  const results = h('div', { id: 'run-results', 'aria-live': 'polite' });
  await showResults(results, params, signal);
  // The filters and the purge form are drawn once: refreshing the list must not undo what is being typed.
  main.replaceChildren(h('h1', {}, 'Runs'), filters(params), results, purgeForm());
}

async function showResults(
  results: HTMLElement,
  params: URLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  const query = new URLSearchParams({ limit: String(RUNS_PAGE_SIZE) });
  for (const name of ['status', 'name'] as const) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  for (const name of ['from', 'to'] as const) {
    const value = params.get(name);
    if (value) query.set(name, new Date(`${value}Z`).toISOString());
  }
  const token = params.get('page');
  if (token) query.set('continuationToken', token);
  const page = await getJson<RunPageView>(`/runs?${query}`);
  if (signal.aborted) return;

  const rows = document.createDocumentFragment();
  for (const run of page.runs) {
    rows.appendChild(
      h(
        'tr',
        { 'data-instance': run.instanceId },
        h(
          'th',
          { scope: 'row' },
          h('a', { href: `#/runs/${encodeURIComponent(run.instanceId)}` }, run.instanceId),
        ),
        h('td', {}, run.name),
        h('td', {}, statusBadge(run.runtimeStatus)),
        h('td', {}, formatTime(run.createdTime)),
        h('td', {}, formatTime(run.lastUpdatedTime)),
      ),
    );
  }
  const table = h(
    'table',
    { class: 'grid', 'aria-label': 'Runs, newest first' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Instance', 'Name', 'Status', 'Created', 'Updated'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h('tbody', {}, rows),
  );
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of runs' });
  if (token) {
    pager.appendChild(
      h('button', { type: 'button', id: 'first-page', onclick: () => go(params, undefined) }, 'First page'),
    );
  }
  if (page.continuationToken) {
    const next = page.continuationToken;
    pager.appendChild(
      h('button', { type: 'button', id: 'next-page', onclick: () => go(params, next) }, 'Next page'),
    );
  }
  results.replaceChildren(
    page.runs.length === 0 ? h('p', { class: 'summary' }, 'No runs match.') : table,
    pager,
  );
  // While something on the page runs, read the same page again.
  if (page.runs.some((run) => !TERMINAL_STATUSES.includes(run.runtimeStatus))) {
    setTimeout(() => {
      if (!signal.aborted) showResults(results, params, signal).catch(() => undefined);
    }, REFRESH_MS);
  }
}

function go(params: URLSearchParams, page: string | undefined): void {
  const next = new URLSearchParams(params);
  if (page === undefined) next.delete('page');
  else next.set('page', page);
  location.hash = `#/runs?${next}`;
}

function filters(params: URLSearchParams): HTMLElement {
  const status = h('select', { id: 'filter-status', name: 'status' }, h('option', { value: '' }, 'any'));
  for (const value of RUNTIME_STATUSES) status.appendChild(h('option', { value }, value));
  status.value = params.get('status') ?? '';
  const name = h('select', { id: 'filter-name', name: 'name' }, h('option', { value: '' }, 'any'));
  for (const value of RUN_NAMES) name.appendChild(h('option', { value }, value));
  name.value = params.get('name') ?? '';
  const from = h('input', {
    id: 'filter-from',
    type: 'datetime-local',
    step: 1,
    value: params.get('from') ?? '',
  });
  const to = h('input', { id: 'filter-to', type: 'datetime-local', step: 1, value: params.get('to') ?? '' });
  const apply = () => {
    const next = new URLSearchParams();
    if (status.value) next.set('status', status.value);
    if (name.value) next.set('name', name.value);
    if (from.value) next.set('from', from.value);
    if (to.value) next.set('to', to.value);
    location.hash = `#/runs?${next}`;
  };
  return h(
    'div',
    { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    h('label', { for: 'filter-status' }, 'Status '),
    status,
    h('label', { for: 'filter-name' }, ' Name '),
    name,
    h('label', { for: 'filter-from' }, ' Created from (UTC) '),
    from,
    h('label', { for: 'filter-to' }, ' to '),
    to,
    ' ',
    h('button', { type: 'button', id: 'apply-filters', onclick: apply }, 'Apply'),
  );
}

function purgeForm(): HTMLElement {
  const date = h('input', { id: 'purge-before', type: 'date', required: true });
  const purge = async () => {
    if (!date.value) {
      date.focus();
      return;
    }
    const before = new Date(`${date.value}T00:00:00Z`).toISOString();
    const done = await act(
      'Purge runs',
      `Delete the history of every finished run created before ${date.value} (UTC)? This cannot be undone.`,
      () => postJson<{ purged: number }>('/runs/purge', { before }),
      (result) => `purged ${result.purged} run${result.purged === 1 ? '' : 's'}`,
    );
    if (done) window.dispatchEvent(new HashChangeEvent('hashchange'));
  };
  return h(
    'section',
    { class: 'purge', 'aria-labelledby': 'purge-title' },
    h('h2', { id: 'purge-title' }, 'Purge old runs'),
    h('label', { for: 'purge-before' }, 'Finished runs created before (UTC) '),
    date,
    ' ',
    h('button', { type: 'button', id: 'purge', onclick: purge }, 'Purge'),
  );
}
