// `npm run bench [name …]`: runs the named benchmarks (all by default); each writes bench/results/<name>.json.
import { benchCheckUpstream } from './check-upstream.js';
import { benchConsole } from './console.js';
import { benchCopy } from './copy.js';
import { benchDiff } from './diff.js';
import { benchEngine } from './engine.js';
import { benchFleet } from './fleet.js';
import { benchPackage } from './package.js';
import { benchPlan } from './plan.js';
import { benchReferrers } from './referrers.js';
import { benchStartup } from './startup.js';

const benchmarks: Record<string, () => Promise<Record<string, unknown>>> = {
  'check-upstream': benchCheckUpstream,
  console: benchConsole,
  copy: benchCopy,
  diff: benchDiff,
  engine: benchEngine,
  fleet: benchFleet,
  package: benchPackage,
  plan: benchPlan,
  referrers: benchReferrers,
  startup: benchStartup,
};

const chosen = process.argv.slice(2);
for (const name of chosen) {
  if (!benchmarks[name]) {
    process.stderr.write(`unknown benchmark '${name}'; choose from: ${Object.keys(benchmarks).join(', ')}\n`);
    process.exit(2);
  }
}
for (const name of chosen.length > 0 ? chosen : Object.keys(benchmarks)) {
  process.stdout.write(`== ${name}\n`);
  const result = await benchmarks[name]!();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
