// `npm run bench check-upstream`: 1,000 unchanged tags in a local registry behind the Bearer token
// flow, checked the way a sync cycle checks them. Counts every request the registry and its token
// service saw, and the wall time of each run.
import { writeFile } from 'node:fs/promises';
import { parseReference } from '../src/core/reference.js';
import { checkUpstream, DEFAULT_CONCURRENCY_PER_REGISTRY } from '../src/registry/check-upstream.js';
import { DistributionClient } from '../src/registry/distribution-client.js';
import { upstreamStores } from '../src/registry/upstream-stores.js';
import { makeImage, pushManyTags } from '../test/support/images.js';
import { startRegistry } from '../test/support/registry.js';
import { machine } from './machine.js';

const TAGS = 1000;
const REPOSITORIES = 10;
const RUNS = 5;
const USER = { username: 'bench', password: 'bench-password' };

export async function benchCheckUpstream(): Promise<Record<string, unknown>> {
  const registry = await startRegistry({ auth: 'token', users: { [USER.username]: USER.password } });
  try {
    const image = makeImage({ seed: 'bench', layers: 2 });
    const refs = [];
    for (let r = 0; r < REPOSITORIES; r++) {
      const repository = `library/base-${r}`;
      const tags = await pushManyTags(registry.url, repository, TAGS / REPOSITORIES, image, {
        credentials: USER,
      });
      refs.push(...tags.map((tag) => parseReference(`${registry.host}/${repository}:${tag}`)));
    }

    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      await registry.settled();
      registry.clearRequests();
      registry.tokenServer!.clearRequests();
      const client = new DistributionClient({ credentials: () => USER });
      const started = process.hrtime.bigint();
      const report = await checkUpstream(refs, { stores: upstreamStores(client) });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await registry.settled();
      const requests = registry.requests();
      const manifestHeads = requests.filter(
        (r) => r.method === 'HEAD' && r.uri.includes('/manifests/'),
      ).length;
      const manifestOrBlobGets = requests.filter(
        (r) => r.method === 'GET' && (r.uri.includes('/manifests/') || r.uri.includes('/blobs/')),
      ).length;
      const tokenCounts = registry.tokenServer!.tokenRequests();
      const unchanged = report.checks.filter(
        (c) => c.status === 'current' && c.digest === image.digest,
      ).length;
      runs.push({
        seconds: Number(seconds.toFixed(3)),
        unchanged,
        manifestHeads,
        manifestOrBlobGets,
        tokenRequests: tokenCounts.reduce((sum, c) => sum + c.count, 0),
        maxTokenRequestsPerScope: Math.max(...tokenCounts.map((c) => c.count)),
        scopes: tokenCounts.length,
      });
      await client.http.close();
    }
    const sorted = runs.map((r) => r.seconds).sort((a, b) => a - b);
    const result = {
      benchmark: 'check-upstream',
      command: 'npm run bench check-upstream',
      tags: TAGS,
      repositories: REPOSITORIES,
      concurrencyPerRegistry: DEFAULT_CONCURRENCY_PER_REGISTRY,
      targetSeconds: 2,
      medianSeconds: sorted[Math.floor(sorted.length / 2)],
      runs,
      machine: machine(),
    };
    await writeFile(
      new URL('./results/check-upstream.json', import.meta.url),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    const ok = runs.every(
      (r) =>
        r.unchanged === TAGS &&
        r.manifestHeads === TAGS &&
        r.manifestOrBlobGets === 0 &&
        r.maxTokenRequestsPerScope <= 1,
    );
    if (!ok) throw new Error(`check-upstream: request counts off target: ${JSON.stringify(runs)}`);
    return result;
  } finally {
    await registry.stop();
  }
}
