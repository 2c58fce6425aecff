// `plan` and `sync --dry-run` say which gate an image would go through, and what a cycle would hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDryRun, dryRun } from '../../src/cli/dry-run.js';
import { parseConfig } from '../../src/config/load.js';
import { planImpact } from '../../src/config/plan-impact.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startHarness } from '../workflows/harness.js';

let upstream: TestRegistry;
let azurite: AzuriteTables;

beforeAll(async () => {
  [upstream, azurite] = await Promise.all([startRegistry(), startAzuriteTables()]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), azurite?.stop()]);
});

const yaml = (host: string) => `
version: 1
registry: { url: "http://127.0.0.1:5999" }
images:
  - source: ${host}/library/node
    tags: ["20"]
    target: base/node
    gate:
      quarantine: staging/node
      checks:
        - platforms: [linux/amd64]
        - maxGrowth: 25%
        - webhook: { url: "https://ci.example/validate?token=s3cret" }
apps:
  - { name: api, image: "apps/api:1", team: t, baseImages: ["base/node:20"], rebuild: { rebase: true } }
`;

describe('previews of a gated image', () => {
  it('plan names the quarantine and the checks in order, never a URL query', async () => {
    const plan = await planImpact(parseConfig(yaml('docker.io'), 'basewatch.yaml'), 'base/node:20');
    expect(plan.gate).toEqual({
      quarantine: 'staging/node',
      checks: ['platforms [linux/amd64]', 'maxGrowth 25%', 'webhook https://ci.example/validate'],
    });
    const ungated = await planImpact(parseConfig(yaml('docker.io'), 'basewatch.yaml'), 'apps/api:1');
    expect(ungated.gate).toBeUndefined();
  });

  it('a dry run says the gate a change would pass, and holds a pinned tag', async () => {
    const h = await startHarness({ yaml: yaml(upstream.host), azurite });
    try {
      const image = makeImage({ seed: 'preview-1' });
      await pushImage(upstream.url, 'library/node', '20', image);
      const preview = await dryRun(h.deps);
      expect(preview.wouldImport).toMatchObject([
        { target: 'base/node:20', digest: image.digest, gate: { quarantine: 'staging/node' } },
      ]);
      expect(describeDryRun(preview)).toContain(
        '  gate first: quarantined in staging/node, then platforms [linux/amd64], then maxGrowth 25%, then webhook https://ci.example/validate; a failure rebuilds nothing',
      );

      await h.deps.state.updateImage('base/node:20', () => ({
        source: `${upstream.host}/library/node:20`,
        target: 'base/node:20',
        importedDigest: `sha256:${'1'.repeat(64)}`,
        pinned: {
          digest: `sha256:${'1'.repeat(64)}`,
          at: '2026-11-30T00:00:00.000Z',
          by: 'operator',
          reason: 'release week',
        },
      }));
      const held = await dryRun(h.deps);
      expect(held.wouldImport).toEqual([]);
      expect(held.held).toEqual([
        {
          target: 'base/node:20',
          digest: image.digest,
          reason: `pinned at sha256:${'1'.repeat(64)} by operator (release week); unpin to promote ${image.digest}`,
        },
      ]);
    } finally {
      await h.engine.stop();
    }
  });
});
