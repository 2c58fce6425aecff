import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressBar } from '../../src/cli/progress-view.js';
import { runBasewatch } from '../support/basewatch-cli.js';
import { makeImage, makeMultiPlatformImage, pushImage, pushIndex } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { scratchDir, skopeoReadsAll } from './support-copy.js';

let registry: TestRegistry;
const image = makeImage({ seed: 'cli-image', layers: 2 });
const multi = makeMultiPlatformImage(
  [
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm64' },
  ],
  { seed: 'cli-multi' },
);

const basewatch = (...args: string[]) => runBasewatch(args);

beforeAll(async () => {
  registry = await startRegistry();
  await pushImage(registry.url, 'base/alpine', '3', image);
  await pushIndex(registry.url, 'base/node', '20', multi);
});
afterAll(async () => registry?.stop());

describe('basewatch copy', () => {
  it('copies registry → layout with plain progress lines when not on a terminal', async () => {
    const dir = await scratchDir('cli');
    const result = await basewatch('copy', `${registry.host}/base/alpine:3`, `oci-layout:${dir}:3`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`copied ${registry.host}/base/alpine:3 → oci-layout:${dir}:3`);
    expect(result.stdout).toContain(`digest ${image.digest}`);
    expect(result.stderr).toContain(`blobs 3/3`);
    expect(result.stderr).not.toContain('\r');
    await skopeoReadsAll(`oci:${dir}:3`);
  });

  it('with --platform says the filtered index digest differs from upstream', async () => {
    const result = await basewatch(
      'copy',
      `${registry.host}/base/node:20`,
      `${registry.host}/mirror/node:20-arm64`,
      '--platform',
      'linux/arm64',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /note: --platform linux\/arm64 wrote a filtered index; its digest differs from upstream's sha256:/,
    );
    await skopeoReadsAll(`${registry.host}/mirror/node:20-arm64`);
  });

  it('exits 2 on a bad platform and 1 on a failed copy, naming what failed', async () => {
    const bad = await basewatch(
      'copy',
      `${registry.host}/base/node:20`,
      `${registry.host}/x:1`,
      '--platform',
      'linux',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("platform 'linux' must be os/architecture");
    const missing = await basewatch('copy', `${registry.host}/base/none:1`, `${registry.host}/x:1`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /GET manifest 127\.0\.0\.1:\d+\/base\/none:1: (MANIFEST_UNKNOWN|NAME_UNKNOWN)/,
    );
  });

  it('draws a bar for terminals', () => {
    const bar = progressBar({
      blobsTotal: 4,
      blobsDone: 2,
      bytesTotal: 2048,
      bytesDone: 1024,
      blobsSkipped: 0,
      phase: 'blobs',
    });
    expect(bar).toBe('[###############---------------]  50% 1.0 KiB/2.0 KiB  blobs 2/4');
  });
});
