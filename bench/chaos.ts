// `npm run chaos -- [--seed N] [--kills K] [--scale small|full] [--built] [--snapshot] [--keep]`: the chaos run of
// test/chaos; prints the seed first (pass it back to replay the same fleet and kill moments), writes
// bench/results/chaos-<scale>.json, and exits 1 when a promise was broken.
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runChaos } from '../test/chaos/chaos-run.js';
import { freshSeed } from '../test/chaos/seeded-random.js';
import { machine } from './machine.js';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run chaos -- [--seed N] [--kills K] [--scale small|full] [--built] [--snapshot] [--keep]\n`,
  );
  process.exit(2);
}

let values: {
  seed?: string;
  kills?: string;
  scale?: string;
  built?: boolean;
  snapshot?: boolean;
  keep?: boolean;
};
try {
  ({ values } = parseArgs({
    options: {
      seed: { type: 'string' },
      kills: { type: 'string' },
      scale: { type: 'string', default: 'full' },
      built: { type: 'boolean' },
      snapshot: { type: 'boolean' },
      keep: { type: 'boolean' },
    },
  }));
} catch (error) {
  usage((error as Error).message);
}
const whole = (text: string | undefined, name: string) => {
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text)) usage(`--${name} '${text}' is not a whole number`);
  return Number(text);
};
const scale = values.scale;
if (scale !== 'small' && scale !== 'full') usage(`--scale '${scale}' is neither small nor full`);
const seed = whole(values.seed, 'seed') ?? freshSeed();
const kills = whole(values.kills, 'kills');
process.stdout.write(`chaos: seed ${seed}, scale ${scale}${kills !== undefined ? `, ${kills} kills` : ''}\n`);

const report = await runChaos({
  seed,
  scale,
  ...(kills !== undefined && { kills }),
  built: values.built ?? false,
  snapshot: values.snapshot ?? false,
  keep: values.keep ?? false,
  log: (line) => process.stdout.write(`  ${line}\n`),
});
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL(`./results/chaos-${scale}.json`, import.meta.url),
  `${JSON.stringify({ machine: machine(), command: process.argv.slice(2).join(' '), ...report }, null, 2)}\n`,
);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (report.violations.length > 0) {
  process.stdout.write(`chaos: ${report.violations.length} broken promises at seed ${seed}\n`);
  process.exit(1);
}
process.stdout.write(`chaos: every promise held at seed ${seed} with ${report.kills.length} kills\n`);
