import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { planImpact } from '../../src/config/plan-impact.js';
import { trackedImagesNamed } from '../../src/config/tracked-image-match.js';

// Parsed inside each test (not at load time) so per-test coverage sees which tests reach which code.
const config = () =>
  parseConfig(
    `version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: docker.io/library/node, tags: ["20-alpine", "22-alpine"], target: base/node }
  - { source: docker.io/library/alpine, tagPolicy: { semver: ">=3.19" }, target: base/alpine }
  - { source: ghcr.io/org/tools, tags: ["1"], target: base/tools }
apps:
  - { name: runtime, image: apps/runtime:22, team: platform, baseImages: [base/node:22-alpine], rebuild: { rebase: true } }
  - { name: orders, image: apps/orders:1, team: payments, baseImages: [apps/runtime:22], rebuild: { rebase: true } }
  - { name: edge, image: apps/edge:1, team: platform, baseImages: [base/alpine:3.20], rebuild: { rebase: true } }
`,
    'basewatch.yaml',
  );

const targets = (wanted: string) => trackedImagesNamed(config().images, wanted).map((image) => image.target);

describe('trackedImagesNamed: which tracked images a reference names', () => {
  it.each([
    ['a target repository', 'base/node', ['base/node']],
    ['a target key with a listed tag', 'base/node:20-alpine', ['base/node']],
    ['a target key with a tag not listed', 'base/node:18', []],
    ['a target key under a tag policy (any tag may be meant)', 'base/alpine:3.21', ['base/alpine']],
    ['the upstream source as normalised', 'docker.io/library/node', ['base/node']],
    ['the upstream source with a listed tag', 'docker.io/library/node:22-alpine', ['base/node']],
    ['the upstream source with a tag not listed', 'docker.io/library/node:18', []],
    ['an upstream short name with a listed tag', 'node:20-alpine', ['base/node']],
    ['an upstream short name without a tag (means latest, not listed)', 'node', []],
    ['an upstream short name under a tag policy', 'alpine:3.22', ['base/alpine']],
    ['another registry', 'ghcr.io/org/tools:1', ['base/tools']],
    ['another registry, unlisted tag', 'ghcr.io/org/tools:2', []],
    ['a repository nobody tracks', 'base/ruby:3', []],
    ['text that is no reference', 'Not A Reference!', []],
  ])('%s: %s', (_name, wanted, expected) => {
    expect(targets(wanted)).toEqual(expected);
  });
});

describe('planImpact: what rebuilds if a reference moved', () => {
  it('a private key plans the apps built on it, wave by wave', async () => {
    const plan = await planImpact(config(), 'base/node:22-alpine');
    expect(plan.known).toBe(true);
    expect(plan).not.toHaveProperty('upstream');
    expect(plan.waves.map((w) => w.apps.map((a) => a.name))).toEqual([['runtime'], ['orders']]);
  });

  it('an upstream tag maps to its private copy and says which source it was', async () => {
    const plan = await planImpact(config(), 'docker.io/library/node:22-alpine');
    expect(plan).toMatchObject({
      changed: 'base/node:22-alpine',
      upstream: 'docker.io/library/node:22-alpine',
    });
    expect(plan.waves).toHaveLength(2);
  });

  it('a tag a policy selected counts as known when the caller resolved it', async () => {
    const unresolved = await planImpact(config(), 'base/alpine:3.21');
    expect(unresolved).toMatchObject({ known: false, waves: [] });
    const resolved = await planImpact(config(), 'base/alpine:3.21', {
      resolvedTrackedImages: ['base/alpine:3.21'],
    });
    expect(resolved).toMatchObject({ known: true, waves: [] });
  });

  it('an image outside the graph is unknown, with nothing to rebuild', async () => {
    expect(await planImpact(config(), 'base/ruby:3')).toEqual({
      changed: 'base/ruby:3',
      waves: [],
      known: false,
    });
  });
});
