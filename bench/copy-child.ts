// One copy in a process of its own, so its peak memory is the copy's: `copy-child.ts SRC DST`.
import { copyImage } from '../src/registry/copy.js';
import { DistributionClient } from '../src/registry/distribution-client.js';
import { openStore } from '../src/registry/open-store.js';

const [src, dst] = process.argv.slice(2);
const client = new DistributionClient();
const started = performance.now();
const result = await copyImage(openStore(src!, { client }), openStore(dst!, { client }));
process.stdout.write(
  `${JSON.stringify({ digest: result.digest, seconds: (performance.now() - started) / 1000 })}\n`,
);
await client.http.close();
