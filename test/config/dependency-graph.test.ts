import { describe, expect, it } from 'vitest';
import { loadDependencyGraph, untrackedBases } from '../../src/config/dependency-graph.js';
import { parseConfig } from '../../src/config/load.js';
import { resolvePlanImage } from '../../src/config/plan-image.js';
import type { BaseImageDiscovery, DiscoveredBase } from '../../src/core/base-discovery.js';
import { DependencyCycleError, type GraphApp } from '../../src/core/graph.js';

// Parsed inside each test (not at load time) so per-test coverage sees which tests reach which code.
const config = () =>
  parseConfig(
    `version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: docker.io/library/node, tags: ["22-alpine"], target: base/node }
  - { source: docker.io/library/alpine, tagPolicy: { semver: ">=3.19" }, target: base/alpine }
apps:
  - { name: runtime, image: apps/runtime:22, team: platform, baseImages: [base/node:22-alpine], rebuild: { rebase: true } }
  - { name: orders, image: apps/orders:1, team: payments, rebuild: { rebase: true } }
  - { name: tools, image: apps/tools:1, team: platform, baseImages: [base/alpine:3.20, base/debian:12], rebuild: { rebase: true } }
`,
    'basewatch.yaml',
  );

/** Answers from a fixed table, as the registry or ACR would. */
function discovery(bases: DiscoveredBase[]): BaseImageDiscovery & { asked: GraphApp[][] } {
  const asked: GraphApp[][] = [];
  return {
    asked,
    async discoverBases(apps) {
      asked.push([...apps]);
      return bases.filter((b) => apps.some((a) => a.name === b.app));
    },
  };
}

describe('loadDependencyGraph', () => {
  it('adds discovered edges to the configured ones, as graph keys', async () => {
    const annotations = discovery([
      { app: 'orders', base: 'myregistry.azurecr.io/apps/runtime:22', source: 'annotation' },
      { app: 'runtime', base: 'myregistry.azurecr.io/base/node:22-alpine', source: 'annotation' },
    ]);
    const graph = await loadDependencyGraph(config(), [annotations], ['base/alpine:3.20']);
    expect(annotations.asked[0]?.map((a) => a.name)).toEqual(['runtime', 'orders', 'tools']);
    expect(graph.edges).toEqual([
      { app: 'orders', base: 'apps/runtime:22', sources: ['annotation'] },
      { app: 'runtime', base: 'base/node:22-alpine', sources: ['annotation', 'config'] },
      { app: 'tools', base: 'base/alpine:3.20', sources: ['config'] },
      { app: 'tools', base: 'base/debian:12', sources: ['config'] },
    ]);
    expect([...graph.tracked].sort()).toEqual(['base/alpine:3.20', 'base/node:22-alpine']);
  });

  it('names a cycle that discovered edges close', async () => {
    const tasks = discovery([
      { app: 'runtime', base: 'myregistry.azurecr.io/apps/orders:1', source: 'acr-task' },
    ]);
    const annotations = discovery([
      { app: 'orders', base: 'myregistry.azurecr.io/apps/runtime:22', source: 'annotation' },
    ]);
    await expect(loadDependencyGraph(config(), [tasks, annotations])).rejects.toThrow(DependencyCycleError);
    await expect(loadDependencyGraph(config(), [tasks, annotations])).rejects.toThrow(
      'orders (apps/orders:1) → runtime (apps/runtime:22) → orders (apps/orders:1)',
    );
  });
});

describe('untrackedBases', () => {
  it('lists bases that neither a copy, a tag policy nor an app provides', async () => {
    const graph = await loadDependencyGraph(config());
    expect(untrackedBases(config(), graph)).toEqual([{ base: 'base/debian:12', apps: ['tools'] }]);
  });
});

describe('resolvePlanImage', () => {
  it('reads private keys, the private host and tracked upstream tags', async () => {
    const { images } = await loadDependencyGraph(config());
    expect(resolvePlanImage(config(), 'base/node:22-alpine', images)).toEqual({ key: 'base/node:22-alpine' });
    expect(resolvePlanImage(config(), 'myregistry.azurecr.io/apps/runtime:22', images)).toEqual({
      key: 'apps/runtime:22',
    });
    expect(resolvePlanImage(config(), 'node:22-alpine', images)).toEqual({
      key: 'base/node:22-alpine',
      upstream: 'docker.io/library/node:22-alpine',
    });
    expect(resolvePlanImage(config(), 'alpine:3.21', images)).toEqual({
      key: 'base/alpine:3.21',
      upstream: 'docker.io/library/alpine:3.21',
    });
    expect(resolvePlanImage(config(), 'apps/unknown:1', images)).toEqual({ key: 'apps/unknown:1' });
  });
});
