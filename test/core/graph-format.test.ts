import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/core/graph.js';
import { graphToDot, graphToJson } from '../../src/core/graph-format.js';

// runtime FROM base/node:20 (config and annotation); orders FROM runtime's image (ACR task);
// reports FROM base/python:3, which nothing tracks. runtime's image is itself tracked.
const graph = buildGraph({
  apps: [
    { name: 'runtime', image: 'apps/runtime:1', team: 'platform' },
    { name: 'orders', image: 'apps/orders:1', team: 'payments' },
    { name: 'reports', image: 'apps/reports:1', team: 'finance' },
  ],
  edges: [
    { app: 'runtime', base: 'base/node:20', source: 'config' },
    { app: 'runtime', base: 'base/node:20', source: 'annotation' },
    { app: 'orders', base: 'apps/runtime:1', source: 'acr-task' },
    { app: 'reports', base: 'base/python:3', source: 'config' },
  ],
  trackedImages: ['base/node:20', 'apps/runtime:1'],
});

describe('graphToDot', () => {
  it('writes images as nodes (tracked ones filled boxes, app images ellipses) and FROM edges labelled by source', () => {
    expect(graphToDot(graph)).toBe(
      [
        'digraph basewatch {',
        '  rankdir=LR;',
        '  node [fontname="Helvetica"];',
        '  "apps/orders:1" [label="apps/orders:1\\norders (payments)", shape=ellipse];',
        '  "apps/reports:1" [label="apps/reports:1\\nreports (finance)", shape=ellipse];',
        '  "apps/runtime:1" [label="apps/runtime:1\\nruntime (platform)", shape=box, style=filled, fillcolor="#e8f0fe"];',
        '  "base/node:20" [label="base/node:20", shape=box, style=filled, fillcolor="#e8f0fe"];',
        '  "base/python:3" [label="base/python:3", shape=box];',
        '  "apps/orders:1" -> "apps/runtime:1" [label="acr-task"];',
        '  "apps/reports:1" -> "base/python:3" [label="config"];',
        '  "apps/runtime:1" -> "base/node:20" [label="annotation,config"];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('escapes quotes and backslashes in IDs, keeping the label line break', () => {
    const odd = buildGraph({
      apps: [{ name: 'x', image: 'apps/a"b\\c:1', team: 't' }],
      edges: [],
    });
    expect(graphToDot(odd)).toContain(
      '  "apps/a\\"b\\\\c:1" [label="apps/a\\"b\\c:1\\nx (t)", shape=ellipse];',
    );
  });
});

describe('graphToJson', () => {
  it('lists images with who builds them, apps with their bases, and the edges', () => {
    expect(graphToJson(graph)).toStrictEqual({
      images: [
        { image: 'apps/orders:1', tracked: false, builtBy: 'orders' },
        { image: 'apps/reports:1', tracked: false, builtBy: 'reports' },
        { image: 'apps/runtime:1', tracked: true, builtBy: 'runtime' },
        { image: 'base/node:20', tracked: true },
        { image: 'base/python:3', tracked: false },
      ],
      apps: [
        { name: 'orders', image: 'apps/orders:1', team: 'payments', bases: ['apps/runtime:1'] },
        { name: 'reports', image: 'apps/reports:1', team: 'finance', bases: ['base/python:3'] },
        { name: 'runtime', image: 'apps/runtime:1', team: 'platform', bases: ['base/node:20'] },
      ],
      edges: [
        { app: 'orders', base: 'apps/runtime:1', sources: ['acr-task'] },
        { app: 'reports', base: 'base/python:3', sources: ['config'] },
        { app: 'runtime', base: 'base/node:20', sources: ['annotation', 'config'] },
      ],
    });
  });
});
