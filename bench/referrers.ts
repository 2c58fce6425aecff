// `npm run bench referrers`: what keeping upstream's attachments costs an import, against real CNCF
// Distribution 2.8 registries on loopback (no referrers API: the tag schema path). An 8-platform
// index imported with `referrers: none` and `referrers: all`, bare and with a cosign .sig on the
// index and every platform plus an SBOM per platform: median wall time of 5 runs and the requests
// the upstream registry logged. Writes bench/results/referrers.json.
import { writeFile } from 'node:fs/promises';
import type { ReferrerPolicy } from '../src/core/referrers.js';
import { CopyImporter } from '../src/registry/copy-importer.js';
import { DistributionClient } from '../src/registry/distribution-client.js';
import { privateStores } from '../src/registry/private-store.js';
import {
  cosignSignatureManifest,
  makeArtifact,
  referrersIndex,
  SPDX,
  simpleSigningPayload,
  tagFor,
} from '../test/referrers/attachments.js';
import { makeMultiPlatformImage, pushImage, pushIndex } from '../test/support/images.js';
import { startRegistry, type TestRegistry } from '../test/support/registry.js';
import { machine } from './machine.js';

const RUNS = 5;
const PLATFORMS = ['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le'].map(
  (architecture) => ({ os: 'linux', architecture }),
);

async function seed(upstream: TestRegistry, repository: string, attached: boolean): Promise<void> {
  const index = makeMultiPlatformImage(PLATFORMS, { seed: repository, layerSize: 64 * 1024 });
  await pushIndex(upstream.url, repository, '1', index);
  if (!attached) return;
  for (const manifest of [index, ...index.images]) {
    const payload = simpleSigningPayload(`${upstream.host}/${repository}`, manifest.digest);
    const sig = cosignSignatureManifest([
      {
        payload,
        annotations: { 'dev.cosignproject.cosign/signature': Buffer.from('bench').toString('base64') },
      },
    ]);
    await pushImage(upstream.url, repository, tagFor(manifest.digest, 'sig'), sig);
  }
  for (const image of index.images) {
    const sbom = makeArtifact({
      artifactType: SPDX,
      layers: [
        {
          mediaType: SPDX,
          bytes: Buffer.from(JSON.stringify({ spdxVersion: 'SPDX-2.3', name: image.digest })),
        },
      ],
      subject: { mediaType: image.mediaType, digest: image.digest, size: image.size },
    });
    await pushImage(upstream.url, repository, sbom.digest, sbom);
    await pushImage(upstream.url, repository, tagFor(image.digest), {
      ...referrersIndex([sbom]),
      kind: 'image',
      blobs: new Map(),
    } as never);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function measure(
  upstream: TestRegistry,
  mirror: TestRegistry,
  repository: string,
  policy: ReferrerPolicy,
): Promise<Record<string, unknown>> {
  const times: number[] = [];
  const requests: number[] = [];
  let copied = 0;
  for (let run = 0; run < RUNS; run++) {
    const client = new DistributionClient();
    const importer = new CopyImporter(
      client,
      privateStores({ kind: 'registry', host: mirror.host, scheme: 'http' }, client),
    );
    await upstream.settled();
    upstream.clearRequests();
    const started = performance.now();
    const result = await importer.importImage({
      source: `${upstream.host}/${repository}:1`,
      target: `bench/${repository.replaceAll('/', '-')}-${String(policy)}-${run}:1`,
      referrers: policy,
    });
    times.push(performance.now() - started);
    await upstream.settled();
    requests.push(upstream.requests().length);
    copied = result.referrers?.copiedTotal ?? 0;
    await client.http.close();
  }
  return {
    medianSeconds: Number((median(times) / 1000).toFixed(3)),
    upstreamRequests: median(requests),
    attachmentsCopied: copied,
  };
}

export async function benchReferrers(): Promise<Record<string, unknown>> {
  const [upstream, mirror] = await Promise.all([startRegistry(), startRegistry()]);
  try {
    await seed(upstream, 'bench/bare', false);
    await seed(upstream, 'bench/attached', true);
    const result = {
      machine: machine(),
      image: `index of ${PLATFORMS.length} platforms, one 64 KiB layer each; Distribution 2.8 (tag schema)`,
      bare: {
        none: await measure(upstream, mirror, 'bench/bare', 'none'),
        all: await measure(upstream, mirror, 'bench/bare', 'all'),
      },
      attached: {
        note: 'a cosign .sig on the index and each platform, an SBOM per platform under sha256-<hex>',
        none: await measure(upstream, mirror, 'bench/attached', 'none'),
        all: await measure(upstream, mirror, 'bench/attached', 'all'),
      },
    };
    await writeFile(
      new URL('./results/referrers.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    return result;
  } finally {
    await Promise.all([upstream.stop(), mirror.stop()]);
  }
}

// Run alone with `npx tsx bench/referrers.ts` as well as from bench/run.ts.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchReferrers(), null, 2)}\n`);
}
