// One tracked tag: what the gate recorded (promotions, rejections, rollbacks, pins), and its actions:
// pin or unpin where it is, roll back to an earlier digest, promote a digest by hand. Each asks first.
import { formatTime, shortDigest } from '../model/format.js';
import type { ImageHistoryView } from '../model/views.js';
import { getJson, postJson } from './api.js';
import { act } from './confirm.js';
import { append, h, jsonBlock, statusBadge } from './dom.js';

export async function imagePage(main: HTMLElement, ref: string): Promise<void> {
  document.title = `${ref} · basewatch`;
  const path = `/images/${encodeURIComponent(ref)}`;
  const record = await getJson<ImageHistoryView>(`${path}/history`);
  const changes = await lastChanges(path, record);
  const reload = () => window.dispatchEvent(new HashChangeEvent('hashchange'));
  const toRun = (started: { instanceId: string } | undefined) => {
    if (started) location.hash = `#/runs/${encodeURIComponent(started.instanceId)}`;
  };

  const reason = h('input', { id: 'gate-reason', type: 'text', maxlength: 1000 });
  const digest = h('input', { id: 'gate-digest', type: 'text', placeholder: 'sha256:…', size: 75 });
  const pin = h(
    'button',
    {
      type: 'button',
      id: record.pinned ? 'unpin' : 'pin',
      onclick: async () => {
        const done = record.pinned
          ? await act(
              'Unpin',
              `Let cycles move ${ref} again?`,
              () => postJson(`${path}/unpin`),
              () => 'unpinned',
            )
          : await act(
              'Pin',
              `Hold ${ref} at ${shortDigest(record.digest)}? Cycles keep checking upstream but move nothing.`,
              () => postJson(`${path}/pin`, reason.value.trim() ? { reason: reason.value.trim() } : {}),
              () => 'pinned',
            );
        if (done) reload();
      },
    },
    record.pinned ? 'Unpin' : 'Pin',
  );
  const rollback = h(
    'button',
    {
      type: 'button',
      id: 'rollback',
      onclick: async () =>
        toRun(
          await act(
            'Roll back',
            `Move ${ref} back to ${digest.value.trim() || 'the digest promoted before this one'}, pin it, and rebuild its dependents?`,
            () =>
              postJson<{ instanceId: string }>(`${path}/rollback`, {
                ...(digest.value.trim() && { to: digest.value.trim() }),
                ...(reason.value.trim() && { reason: reason.value.trim() }),
              }),
            (started) => `started ${started.instanceId}`,
          ),
        ),
    },
    'Roll back',
  );
  const promote = h(
    'button',
    {
      type: 'button',
      id: 'promote',
      onclick: async () =>
        toRun(
          await act(
            'Promote',
            `Move ${ref} to ${digest.value.trim()} by hand and rebuild its dependents?`,
            () =>
              postJson<{ instanceId: string }>(`${path}/promote`, {
                digest: digest.value.trim(),
                reason: reason.value.trim(),
              }),
            (started) => `started ${started.instanceId}`,
          ),
        ),
    },
    'Promote',
  );

  const rows = document.createDocumentFragment();
  for (const entry of record.history) {
    rows.appendChild(
      h(
        'tr',
        {},
        h('td', {}, statusBadge(entry.kind)),
        h('td', {}, formatTime(entry.at)),
        h('td', { class: 'digest', title: entry.digest }, shortDigest(entry.digest)),
        h('td', { class: 'digest', title: entry.previousDigest ?? '' }, shortDigest(entry.previousDigest)),
        h('td', {}, typeof entry.by === 'string' ? entry.by : JSON.stringify(entry.by)),
        h('td', {}, entry.reason ?? ''),
        h(
          'td',
          {},
          entry.runId ? h('a', { href: `#/runs/${encodeURIComponent(entry.runId)}` }, entry.runId) : '',
        ),
      ),
    );
  }
  main.replaceChildren();
  append(main, [
    h('h1', {}, ref),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Private digest'),
      h('dd', { class: 'digest' }, record.digest ?? '—'),
      h('dt', {}, 'Pinned'),
      h(
        'dd',
        { id: 'pinned' },
        record.pinned ? `at ${record.pinned.digest} since ${formatTime(record.pinned.at)}` : 'no',
      ),
      record.quarantined && h('dt', {}, 'In quarantine'),
      record.quarantined && h('dd', {}, record.quarantined.digest),
      record.rejected && h('dt', {}, 'Rejected'),
      record.rejected &&
        h(
          'dd',
          { class: 'error' },
          `${record.rejected.digest}: ${record.rejected.check}: ${record.rejected.reason}`,
        ),
    ),
    h(
      'div',
      { class: 'actions', role: 'group', 'aria-label': 'Gate actions' },
      h('label', { for: 'gate-digest' }, 'Digest'),
      digest,
      h('label', { for: 'gate-reason' }, 'Reason'),
      reason,
      pin,
      rollback,
      promote,
    ),
    changes && h('h2', {}, 'Package changes of the last update'),
    changes,
    h('h2', {}, 'History'),
    record.history.length === 0
      ? h('p', {}, 'Nothing recorded yet.')
      : h(
          'table',
          { class: 'grid', 'aria-label': `History of ${ref}` },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['What', 'When', 'Digest', 'Before', 'By', 'Reason', 'Run'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h('tbody', {}, rows),
        ),
  ]);
}

/** The package diff of the last move that had a digest before it (GET …/changes), or why there is none. */
async function lastChanges(path: string, record: ImageHistoryView): Promise<HTMLElement | undefined> {
  const move = record.history.find(
    (entry) => entry.previousDigest !== undefined && entry.kind !== 'rejected',
  );
  if (!move?.previousDigest) return undefined;
  const query = new URLSearchParams({ from: move.previousDigest, to: move.digest });
  try {
    return jsonBlock(
      await getJson<unknown>(`${path}/changes?${query}`),
      'Package changes of the last update',
    );
  } catch (error) {
    return h('p', { class: 'error' }, (error as Error).message);
  }
}
