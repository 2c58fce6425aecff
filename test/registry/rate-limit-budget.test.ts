import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseReference } from '../../src/core/reference.js';
import { checkUpstream } from '../../src/registry/check-upstream.js';
import { CopyImporter } from '../../src/registry/copy-importer.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { HttpClient } from '../../src/registry/http.js';
import { importKey, PullBudget } from '../../src/registry/pull-budget.js';
import { RegistryStore } from '../../src/registry/registry-store.js';
import { upstreamStores } from '../../src/registry/upstream-stores.js';
import { makeImage, makeMultiPlatformImage, pushIndex, pushManyTags } from '../support/images.js';
import { type PullLimitedFront, startPullLimitedFront } from '../support/pull-limited-front.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startSlowManifestServer } from '../support/slow-manifest-server.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
const fronts: PullLimitedFront[] = [];
let tags: string[];
const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/s390x'];
/**
 * The changed image: an index of 4 platforms. Its import asks for 6 manifests: a HEAD before copying, the
 * index and the 4 platforms' manifests (5 GETs, all Docker Hub counts).
 */
const changed = makeMultiPlatformImage(
  PLATFORMS.map((p) => {
    const [os, architecture, variant] = p.split('/') as [string, string, string?];
    return { os, architecture, ...(variant && { variant }) };
  }),
  { seed: 'changed' },
);
const IMPORT_PULLS = 2 + PLATFORMS.length;
const RESERVE = 2;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  tags = await pushManyTags(upstream.url, 'library/node', 12, makeImage({ seed: 'unchanged' }));
  await pushIndex(upstream.url, 'library/node', 'changed', changed);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});
afterEach(async () => {
  for (const front of fronts.splice(0)) await front.stop();
});

async function front(options: Parameters<typeof startPullLimitedFront>[1]): Promise<PullLimitedFront> {
  const started = await startPullLimitedFront(upstream.url, options);
  fronts.push(started);
  return started;
}

/** The host's parts that share one budget: the upstream client feeds every rate limit it reads into it. */
function parts(budget: PullBudget) {
  const client = new DistributionClient({
    http: new HttpClient({ baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1 }),
    onRateLimit: (registry, rateLimit) => budget.observe(registry, rateLimit),
  });
  const mirrorStore = new RegistryStore({ client, registry: mirror.host });
  const importer = new CopyImporter(client, () => mirrorStore);
  return { stores: upstreamStores(client), importer };
}

const refsOn = (host: string) => tags.map((tag) => parseReference(`${host}/library/node:${tag}`));
const countedHeads = (f: PullLimitedFront) => f.counted().filter((c) => c.method === 'HEAD').length;

describe('checks and imports share one registry pull budget', () => {
  it('checks stop where a pending import’s pulls begin; the import then spends them and no more', async () => {
    // A registry that counts every manifest request, HEADs too: here checks really spend pulls.
    const f = await front({ limit: 100, counts: 'HEAD and GET' });
    f.setRemaining(12);
    const budget = new PullBudget();
    const { stores, importer } = parts(budget);
    const key = importKey('base/node:changed', changed.digest);
    budget.hold(f.host, key, IMPORT_PULLS);

    const report = await checkUpstream(refsOn(f.host), {
      stores,
      budget,
      minRemaining: RESERVE,
      concurrencyPerRegistry: 1,
    });
    // 12 remaining; checks go on while more than 2 (reserve) + 6 (held) remain: 12 → 8 is 4 HEADs.
    expect(countedHeads(f)).toBe(4);
    expect(report.checks.filter((c) => c.status === 'current')).toHaveLength(4);
    const deferred = report.checks.filter((c) => c.status === 'deferred');
    expect(deferred).toHaveLength(8);
    expect(deferred[0]).toMatchObject({
      reason: expect.stringContaining(`6 held for 1 pending import(s) (${key})`),
    });

    expect(budget.forImport(f.host, key, IMPORT_PULLS, RESERVE)).toEqual({ proceed: true });
    const result = await importer.importImage({
      source: `${f.host}/library/node@${changed.digest}`,
      target: 'base/node:changed',
      referrers: 'none',
    });
    expect(result.digest).toBe(changed.digest);
    expect(f.counted().filter((c) => c.method === 'GET')).toHaveLength(5);
    expect(countedHeads(f)).toBe(4 + 1);
    expect(f.refused()).toEqual([]);
    expect(f.lowest()).toBe(RESERVE);
  });

  it('without the hold the same checks spend those pulls, and the import is left short', async () => {
    const f = await front({ limit: 100, counts: 'HEAD and GET' });
    f.setRemaining(12);
    const budget = new PullBudget();
    const { stores } = parts(budget);
    await checkUpstream(refsOn(f.host), { stores, budget, minRemaining: RESERVE, concurrencyPerRegistry: 1 });
    // Down to the reserve alone: 12 → 2 is 10 HEADs.
    expect(countedHeads(f)).toBe(10);
    const verdict = budget.forImport(
      f.host,
      importKey('base/node:changed', changed.digest),
      IMPORT_PULLS,
      RESERVE,
    );
    expect(verdict).toMatchObject({ proceed: false, reason: expect.stringContaining('needs 6 pull(s)') });
  });

  it('what an import pulls (Docker Hub: GETs) is what the checks after it see', async () => {
    const f = await front({ limit: 100, counts: 'GET' });
    f.setRemaining(8);
    const budget = new PullBudget();
    const { stores, importer } = parts(budget);
    await importer.importImage({
      source: `${f.host}/library/node@${changed.digest}`,
      target: 'base/node:seen',
      referrers: 'none',
    });
    expect(f.remaining()).toBe(3);

    const report = await checkUpstream(refsOn(f.host), { stores, budget, minRemaining: 3 });
    expect(report.checks.map((c) => c.status)).toEqual(tags.map(() => 'deferred'));
    expect(report.checks[0]).toMatchObject({ reason: expect.stringContaining('reports 3 pulls remaining') });
    expect(report.rateLimits[f.host]).toEqual({ limit: 100, remaining: 3, windowSeconds: 21600 });
  });

  it('checks in flight count against the reserve: eight at once never reach under it', async () => {
    const f = await front({ limit: 100, counts: 'HEAD and GET' });
    f.setRemaining(12);
    const budget = new PullBudget();
    const { stores } = parts(budget);
    // The first check learns the count; after it, each check leaves room for those still unanswered.
    await checkUpstream(refsOn(f.host), { stores, budget, minRemaining: RESERVE, concurrencyPerRegistry: 8 });
    expect(f.lowest()).toBeGreaterThanOrEqual(RESERVE);
    expect(f.refused()).toEqual([]);
  });
});

describe('checks of several batches at once', () => {
  it('share one lane per registry: never more HEADs in flight than its width', async () => {
    const image = makeImage({ seed: 'lane' });
    const server = await startSlowManifestServer(image);
    try {
      const { host } = server;
      const batch = (from: number) =>
        Array.from({ length: 30 }, (_, i) => parseReference(`${host}/library/node:${from + i}`));
      const budget = new PullBudget();
      const { stores } = parts(budget);
      const reports = await Promise.all([
        checkUpstream(batch(0), { stores, budget, concurrencyPerRegistry: 3 }),
        checkUpstream(batch(100), { stores, budget, concurrencyPerRegistry: 3 }),
      ]);
      expect(reports.flatMap((r) => r.checks).every((c) => c.status === 'current')).toBe(true);
      expect(server.peak()).toBe(3);
    } finally {
      await server.stop();
    }
  });
});

describe('imports running at once', () => {
  // Counts as a registry would report them; the sums below are worked out by hand.
  const registry = 'registry.example';
  const seen = (budget: PullBudget, remaining: number) =>
    budget.observe(registry, { remaining, windowSeconds: 3600 });

  it('what a running import already spent is not counted again against the next one', () => {
    const budget = new PullBudget(() => 0);
    seen(budget, 22);
    expect(budget.forImport(registry, 'a', 10, 2)).toEqual({ proceed: true });
    seen(budget, 20); // a spent 2 of its 10: 8 still to come
    // 20 − 8 − 10 = 2, the reserve: allowed (counting a's 10 again would leave 0 and refuse it).
    expect(budget.forImport(registry, 'b', 10, 2)).toEqual({ proceed: true });
  });

  it('the pulls running imports may still spend keep a third one out', () => {
    const budget = new PullBudget(() => 0);
    seen(budget, 22);
    budget.forImport(registry, 'a', 10, 2);
    seen(budget, 20);
    budget.forImport(registry, 'b', 10, 2);
    // a and b hold 20, of which the count fell by 2: 18 still to come, 20 − 18 − 1 < 2.
    const verdict = budget.forImport(registry, 'c', 1, 2);
    expect(verdict).toMatchObject({ proceed: false });
    expect(verdict.proceed === false && verdict.reason).toBe(
      'import needs 1 pull(s); registry reports 20 remaining, 2 kept in reserve and 18 held by running imports',
    );
  });
});
