// Images: every tracked tag, its upstream and private digests, when it was last checked and changed, its
// status and its last error; each row can be synced now.
import { formatTime, shortDigest } from '../model/format.js';
import type { TrackedImageView } from '../model/views.js';
import { getJson, postJson } from './api.js';
import { act } from './confirm.js';
import { h, statusBadge } from './dom.js';

export async function imagesPage(main: HTMLElement): Promise<void> {
  document.title = 'Images · basewatch';
  const { images } = await getJson<{ images: TrackedImageView[] }>('/images');
  const body = document.createDocumentFragment();
  for (const image of images) body.appendChild(imageRow(image));
  const table = h(
    'table',
    { class: 'grid', 'aria-labelledby': 'images-title' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[
          'Source',
          'Target',
          'Status',
          'Upstream digest',
          'Private digest',
          'Last checked',
          'Last changed',
          'Error',
          'Actions',
        ].map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h('tbody', {}, body),
  );
  main.replaceChildren(
    h('h1', { id: 'images-title' }, 'Images'),
    h('p', { class: 'summary' }, `${images.length} tracked tag${images.length === 1 ? '' : 's'}`),
    table,
  );
}

function imageRow(image: TrackedImageView): HTMLElement {
  return h(
    'tr',
    { 'data-target': image.target },
    h('td', {}, image.source),
    h('th', { scope: 'row' }, image.target),
    h('td', {}, statusBadge(image.status)),
    h('td', { class: 'digest', title: image.upstreamDigest ?? '' }, shortDigest(image.upstreamDigest)),
    h('td', { class: 'digest', title: image.importedDigest ?? '' }, shortDigest(image.importedDigest)),
    h('td', {}, formatTime(image.lastChecked)),
    h('td', {}, formatTime(image.lastChanged)),
    h('td', { class: 'error' }, image.lastError ?? ''),
    h('td', {}, ...imageActions(image)),
  );
}

// The gate's actions (history, rollback, promote, pin, unpin) are on the tag's own page.
function imageActions(image: TrackedImageView): (HTMLElement | string)[] {
  return [
    h(
      'a',
      {
        href: `#/images/${encodeURIComponent(image.target)}`,
        'aria-label': `History and gate actions of ${image.target}`,
      },
      'History',
    ),
    ' ',
    h(
      'button',
      {
        type: 'button',
        'aria-label': `Sync ${image.target} now`,
        onclick: () => syncNow(image.target),
      },
      'Sync',
    ),
  ];
}

/** POST /api/sync, for one image or (no image) all of them; the result links to the run it started. */
export async function syncNow(image?: string): Promise<void> {
  const what = image ?? 'every tracked image';
  await act(
    'Sync now',
    `Check ${what} upstream now and copy and rebuild what changed?`,
    () => postJson<{ instanceId: string }>('/sync', image === undefined ? {} : { image }),
    (started) => {
      queueMicrotask(() => {
        location.hash = `#/runs/${encodeURIComponent(started.instanceId)}`;
      });
      return `started ${started.instanceId}`;
    },
  );
}
