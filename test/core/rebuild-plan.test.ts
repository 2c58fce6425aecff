import { describe, expect, it } from 'vitest';
import { type BaseEdgeInput, buildGraph, type GraphApp } from '../../src/core/graph.js';
import { blockedByFailures, planRebuild } from '../../src/core/rebuild-plan.js';
import { resolveTags, tagPolicyProblems } from '../../src/core/tag-policy.js';

const app = (name: string): GraphApp => ({ name, image: `apps/${name}:1`, team: 'team' });
const on = (name: string, base: string): BaseEdgeInput => ({ app: name, base, source: 'config' });

// node:20 ← zeta, alpha (listed in reverse); worker FROM zeta and alpha (zeta's image sorts first);
// mixed FROM node:20 and FROM other, which is built on python and so not in node's plan.
// Built inside each test (not at load time) so per-test coverage sees which tests reach which code.
const graph = () =>
  buildGraph({
    apps: ['worker', 'zeta', 'other', 'mixed', 'alpha'].map(app),
    edges: [
      on('zeta', 'base/node:20'),
      on('alpha', 'base/node:20'),
      on('worker', 'apps/zeta:1'),
      on('worker', 'apps/alpha:1'),
      on('mixed', 'base/node:20'),
      on('mixed', 'apps/other:1'),
      on('mixed', 'base/untracked:1'),
      on('other', 'base/python:3'),
    ],
  });
const plan = () => planRebuild(graph(), 'base/node:20');

describe('planRebuild', () => {
  it('lists each wave sorted by name, whatever order the apps were given in', () => {
    expect(plan().waves.map((w) => [w.wave, w.apps.map((a) => a.name)])).toEqual([
      [1, ['alpha', 'mixed', 'zeta']],
      [2, ['worker']],
    ]);
  });

  it('gives as reasons only the changed base and the bases rebuilt in this plan', () => {
    const mixed = plan().waves[0]!.apps.find((a) => a.name === 'mixed')!;
    expect(mixed.because).toEqual([{ kind: 'changed', base: 'base/node:20' }]);
    expect(mixed.reason).toBe('base base/node:20 changed');
    const worker = plan().waves[1]!.apps[0]!;
    expect(worker.because).toEqual([
      { kind: 'rebuilt', base: 'apps/alpha:1', by: 'alpha', wave: 1 },
      { kind: 'rebuilt', base: 'apps/zeta:1', by: 'zeta', wave: 1 },
    ]);
    expect(worker.reason).toBe(
      'base apps/alpha:1 is rebuilt by alpha in wave 1; base apps/zeta:1 is rebuilt by zeta in wave 1',
    );
  });

  it('an image nothing is built on plans no wave', () => {
    expect(planRebuild(graph(), 'base/nobody:1')).toEqual({ changed: 'base/nobody:1', waves: [] });
  });
});

describe('blockedByFailures', () => {
  it('names only the base that failed, with one failed app', () => {
    expect(blockedByFailures(plan(), ['zeta'])).toEqual([
      {
        name: 'worker',
        image: 'apps/worker:1',
        team: 'team',
        wave: 2,
        blockedBy: ['zeta'],
        reason: 'skipped: app zeta failed, so base apps/zeta:1 was not rebuilt',
      },
    ]);
  });

  it('names every failed app, sorted, and every base not rebuilt', () => {
    expect(blockedByFailures(plan(), ['zeta', 'alpha'])).toEqual([
      expect.objectContaining({
        name: 'worker',
        blockedBy: ['alpha', 'zeta'],
        reason: 'skipped: apps alpha, zeta failed, so base apps/alpha:1, apps/zeta:1 was not rebuilt',
      }),
    ]);
  });

  it('an app with no failed upstream is never skipped', () => {
    expect(blockedByFailures(plan(), ['mixed'])).toEqual([]);
  });
});

describe('tagPolicyProblems', () => {
  it.each([
    [{}, [{ field: 'semver', message: 'a tagPolicy needs at least one of semver, match, latest' }]],
    [{ latest: 2 }, []],
    [{ match: '-alpine$' }, []],
    [{ semver: '>=20' }, []],
    [
      { semver: 'twenty' },
      [{ field: 'semver', message: `'twenty' is not a semver range (e.g. ">=20 <23")` }],
    ],
  ])('%j → %j', (policy, problems) => {
    expect(tagPolicyProblems(policy)).toEqual(problems);
  });

  it('a bad expression is the only problem of a policy that has one', () => {
    expect(tagPolicyProblems({ match: '(' })).toEqual([
      { field: 'match', message: expect.stringContaining('not a regular expression: ') },
    ]);
  });
});

describe('resolveTags with a policy', () => {
  it('a match alone keeps the matching tags sorted by name', () => {
    expect(
      resolveTags({ tagPolicy: { match: 'alpine' } }, ['22-alpine', 'alpine', '20-alpine', 'slim']).tags,
    ).toEqual(['20-alpine', '22-alpine', 'alpine']);
  });

  it('tags of one version and precision are ordered by name', () => {
    expect(
      resolveTags({ tagPolicy: { semver: '>=20' } }, ['20-slim', '20-alpine', '20-bookworm', '21']).tags,
    ).toEqual(['21', '20-alpine', '20-bookworm', '20-slim']);
  });
});

describe('blockedByFailures names the failed apps in name order', () => {
  it('even when their images sort the other way', () => {
    // alpha builds apps/z-alpha:1 and zeta apps/a-zeta:1: the worker meets zeta's image first.
    const crossed = buildGraph({
      apps: [
        { name: 'alpha', image: 'apps/z-alpha:1', team: 't' },
        { name: 'zeta', image: 'apps/a-zeta:1', team: 't' },
        { name: 'worker', image: 'apps/worker:1', team: 't' },
      ],
      edges: [
        on('alpha', 'base/node:20'),
        on('zeta', 'base/node:20'),
        on('worker', 'apps/z-alpha:1'),
        on('worker', 'apps/a-zeta:1'),
      ],
    });
    const [skipped] = blockedByFailures(planRebuild(crossed, 'base/node:20'), ['zeta', 'alpha']);
    expect(skipped?.blockedBy).toEqual(['alpha', 'zeta']);
    expect(skipped?.reason).toBe(
      'skipped: apps alpha, zeta failed, so base apps/a-zeta:1, apps/z-alpha:1 was not rebuilt',
    );
  });
});
