// The package diff a sync's outcome carries to the end of its cycle: cut to 10 changes, the rest counted.
import { describe, expect, it } from 'vitest';
import type { ChangesSummary } from '../../src/core/image-changes.js';
import { outcomeChanges } from '../../src/workflows/digest-step.js';

const summary = (packages: number, morePackages: number): ChangesSummary => ({
  from: `sha256:${'1'.repeat(64)}`,
  to: `sha256:${'2'.repeat(64)}`,
  link: '/api/images/base%2Fnode%3A20/changes?from=a&to=b',
  platforms: [],
  packages: Array.from({ length: packages }, (_, i) => ({ kind: 'added' as const, name: `p${i}`, to: '1' })),
  morePackages,
});

describe('outcomeChanges', () => {
  it('keeps the first 10 package changes and counts the rest with those the summary already left out', () => {
    const cut = outcomeChanges(summary(50, 7));
    expect(cut.packages.map((p) => p.name)).toEqual([
      'p0',
      'p1',
      'p2',
      'p3',
      'p4',
      'p5',
      'p6',
      'p7',
      'p8',
      'p9',
    ]);
    expect(cut.morePackages).toBe(47);
    expect(cut.link).toBe('/api/images/base%2Fnode%3A20/changes?from=a&to=b');
  });

  it('leaves a short diff as it is', () => {
    expect(outcomeChanges(summary(3, 0))).toEqual(summary(3, 0));
  });
});
