import { describe, expect, it } from 'vitest';
import type { PlannedApp, RebuildPlan } from '../../src/core/rebuild-plan.js';
import { followedBase, WaveProgress } from '../../src/core/wave-progress.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;

// base/node:20 → runtime (wave 1) → orders (wave 2); reports (wave 1) also FROM base/node:20;
// audit (wave 2) FROM reports.
const app = (name: string, wave: number, because: PlannedApp['because']): PlannedApp => ({
  name,
  image: `apps/${name}:1`,
  team: 'team',
  wave,
  because,
  reason: 'r',
});
const runtime = app('runtime', 1, [{ kind: 'changed', base: 'base/node:20' }]);
const reports = app('reports', 1, [{ kind: 'changed', base: 'base/node:20' }]);
const orders = app('orders', 2, [{ kind: 'rebuilt', base: 'apps/runtime:1', by: 'runtime', wave: 1 }]);
const audit = app('audit', 2, [{ kind: 'rebuilt', base: 'apps/reports:1', by: 'reports', wave: 1 }]);
const plan: RebuildPlan = {
  changed: 'base/node:20',
  waves: [
    { wave: 1, apps: [reports, runtime] },
    { wave: 2, apps: [audit, orders] },
  ],
};

describe('rebuild waves, as bookkeeping', () => {
  it('runs wave 1 on the new base digest, and wave 2 on what wave 1 produced', () => {
    const progress = new WaveProgress(plan, 'base/node:20', { digest: D('b'), previous: D('a') });
    const first = progress.start(plan.waves[0]!);
    expect(first.skipped).toEqual([]);
    expect(first.runnable.map((r) => [r.app.name, r.base, r.baseDigest, r.previousBaseDigest])).toEqual([
      ['reports', 'base/node:20', D('b'), D('a')],
      ['runtime', 'base/node:20', D('b'), D('a')],
    ]);
    progress.record(reports, { result: 'succeeded', imageDigest: D('d'), previousImageDigest: D('c') });
    progress.record(runtime, { result: 'succeeded', imageDigest: D('f'), previousImageDigest: D('e') });

    const second = progress.start(plan.waves[1]!);
    expect(second.runnable.map((r) => [r.app.name, r.base, r.baseDigest, r.previousBaseDigest])).toEqual([
      ['audit', 'apps/reports:1', D('d'), D('c')],
      ['orders', 'apps/runtime:1', D('f'), D('e')],
    ]);
  });

  it('a failed app blocks only its own dependents, which are skipped naming it', () => {
    const progress = new WaveProgress(plan, 'base/node:20', { digest: D('b') });
    progress.start(plan.waves[0]!);
    progress.record(reports, { result: 'succeeded', imageDigest: D('d') });
    progress.record(runtime, { result: 'failed' });

    const second = progress.start(plan.waves[1]!);
    expect(second.runnable.map((r) => r.app.name)).toEqual(['audit']);
    expect(second.skipped.map((s) => s.app.name)).toEqual(['orders']);
    expect(second.skipped[0]!.reason).toContain('runtime');
  });

  it('an app whose rebuild left no new image follows the changed image, without a previous digest', () => {
    const progress = new WaveProgress(plan, 'base/node:20', { digest: D('b'), previous: D('a') });
    progress.start(plan.waves[0]!);
    progress.record(reports, { result: 'skipped' });
    progress.record(runtime, { result: 'succeeded' });
    const second = progress.start(plan.waves[1]!);
    expect(second.runnable.map((r) => [r.app.name, r.baseDigest, r.previousBaseDigest])).toEqual([
      ['audit', D('b'), undefined],
      ['orders', D('b'), undefined],
    ]);
  });

  it('an app follows the base rebuilt in the latest wave, else the changed base, else the changed image', () => {
    expect(
      followedBase(
        [
          { kind: 'changed', base: 'base/node:20' },
          { kind: 'rebuilt', base: 'apps/a:1', by: 'a', wave: 1 },
          { kind: 'rebuilt', base: 'apps/b:1', by: 'b', wave: 2 },
        ],
        'base/node:20',
      ),
    ).toBe('apps/b:1');
    expect(followedBase([{ kind: 'changed', base: 'base/other:1' }], 'base/node:20')).toBe('base/other:1');
    expect(followedBase([], 'base/node:20')).toBe('base/node:20');
  });
});
