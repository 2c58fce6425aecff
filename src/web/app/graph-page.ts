// Graph: bases → apps → apps drawn left to right; choosing a base asks /api/plan which apps would rebuild
// and in which wave, and highlights them. Each app shows its last rebuild.
import { formatTime } from '../model/format.js';
import { type GraphInput, layoutGraph } from '../model/graph-layout.js';
import type { AppView, PlanView } from '../model/views.js';
import { getJson } from './api.js';
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
const COLUMN = 300;
const ROW = 56;
const NODE_W = 260;
const NODE_H = 40;

export async function graphPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  document.title = 'Graph · basewatch';
  const [graph, { apps }] = await Promise.all([
    getJson<GraphInput>('/graph?format=json'),
    getJson<{ apps: AppView[] }>('/apps'),
  ]);
  const base = params.get('base') ?? '';
  const plan = base === '' ? undefined : await getJson<PlanView>(`/plan?image=${encodeURIComponent(base)}`);
  const waveOf = new Map<string, number>();
  for (const wave of plan?.waves ?? []) for (const app of wave.apps) waveOf.set(app.image, wave.wave);

  const select = h('select', { id: 'plan-base' }, h('option', { value: '' }, '(none)'));
  for (const image of graph.images.filter((i) => i.tracked || i.builtBy !== undefined)) {
    const option = h('option', { value: image.image }, image.image);
    if (image.image === base) option.selected = true;
    select.appendChild(option);
  }
  select.addEventListener('change', () => {
    location.hash = select.value === '' ? '#/graph' : `#/graph?base=${encodeURIComponent(select.value)}`;
  });

  main.replaceChildren(
    h('h1', {}, 'Dependency graph'),
    h(
      'p',
      {},
      h('label', { for: 'plan-base' }, 'Highlight the waves that rebuild when this changes: '),
      select,
    ),
    plan ? planSummary(plan) : h('p', { class: 'summary' }, 'Choose a base to see its rebuild waves.'),
    drawing(graph, apps, waveOf),
  );
}

function planSummary(plan: PlanView): HTMLElement {
  if (plan.waves.length === 0)
    return h('p', { class: 'summary', id: 'plan-summary' }, `Nothing builds on ${plan.changed}.`);
  return h(
    'ol',
    { class: 'waves', id: 'plan-summary', 'aria-label': `Rebuild waves for ${plan.changed}` },
    ...plan.waves.map((wave) =>
      h(
        'li',
        { 'data-wave': wave.wave },
        `Wave ${wave.wave}: ${wave.apps.map((app) => app.name).join(', ')}`,
      ),
    ),
  );
}

function drawing(graph: GraphInput, apps: readonly AppView[], waveOf: Map<string, number>): Element {
  const layout = layoutGraph(graph);
  const lastRebuild = new Map(apps.map((app) => [app.image, app.lastRebuild]));
  const place = new Map(layout.nodes.map((node) => [node.id, node]));
  const x = (column: number) => 10 + column * COLUMN;
  const y = (row: number) => 10 + row * ROW;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(20 + layout.columns * COLUMN));
  svg.setAttribute('height', String(20 + layout.rows * ROW));
  svg.setAttribute('role', 'img');
  svg.setAttribute(
    'aria-label',
    `Dependency graph: ${layout.nodes.length} images, ${layout.edges.length} edges`,
  );
  svg.setAttribute('class', 'graph');
  for (const edge of layout.edges) {
    const from = place.get(edge.from);
    const to = place.get(edge.to);
    if (!from || !to) continue;
    const path = document.createElementNS(SVG, 'path');
    const x1 = x(from.column) + NODE_W;
    const y1 = y(from.row) + NODE_H / 2;
    const x2 = x(to.column);
    const y2 = y(to.row) + NODE_H / 2;
    path.setAttribute('d', `M${x1},${y1} C${x1 + 30},${y1} ${x2 - 30},${y2} ${x2},${y2}`);
    path.setAttribute('class', waveOf.has(edge.to) ? 'edge hot' : 'edge');
    svg.appendChild(path);
  }
  for (const node of layout.nodes) {
    const group = document.createElementNS(SVG, 'g');
    const wave = waveOf.get(node.id);
    group.setAttribute(
      'class',
      `node${node.tracked ? ' tracked' : ''}${node.app ? ' app' : ''}${wave ? ' in-wave' : ''}`,
    );
    group.setAttribute('data-image', node.id);
    if (wave) group.setAttribute('data-wave', String(wave));
    group.setAttribute('transform', `translate(${x(node.column)},${y(node.row)})`);
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('width', String(NODE_W));
    rect.setAttribute('height', String(NODE_H));
    rect.setAttribute('rx', '6');
    const title = document.createElementNS(SVG, 'text');
    title.setAttribute('x', '8');
    title.setAttribute('y', '16');
    title.textContent = `${wave ? `wave ${wave} · ` : ''}${node.app ?? node.id}`;
    const detail = document.createElementNS(SVG, 'text');
    detail.setAttribute('x', '8');
    detail.setAttribute('y', '32');
    detail.setAttribute('class', 'detail');
    const last = lastRebuild.get(node.id);
    detail.textContent = node.app
      ? last
        ? `last rebuild ${last.result} ${formatTime(last.time)}`
        : 'never rebuilt'
      : node.tracked
        ? 'tracked base'
        : 'base';
    const tooltip = document.createElementNS(SVG, 'title');
    tooltip.textContent = `${node.id}${last?.reason ? `\n${last.reason}` : ''}`;
    group.append(tooltip, rect, title, detail);
    svg.appendChild(group);
  }
  return h('div', { class: 'graph-frame' }, svg);
}
