// `basewatch runs purge --older-than Nd` as a user runs it: a bad age is bad usage (exit 2), a good one
// purges through the data directory's engine and says how many went and before when.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let config: string;

function basewatch(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-cli-purge-'));
  config = join(dir, 'basewatch.yaml');
  await writeFile(
    config,
    'version: 1\nregistry: { url: "oci-layout:./mirror" }\nimages:\n  - { source: docker.io/library/node, tags: ["22"], target: base/node }\n',
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('basewatch runs purge', () => {
  it('refuses an age that is not whole days, as bad usage', async () => {
    for (const age of ['0d', '2w']) {
      const result = await basewatch([
        'runs',
        'purge',
        '--older-than',
        age,
        '--config',
        config,
        '--in-memory',
      ]);
      expect(result.code, age).toBe(2);
      expect(result.stderr).toContain(
        `--older-than '${age}' must be a number of days from 1d to 36500d, e.g. 30d`,
      );
    }
  }, 120_000);

  it('purges the data directory and says how many runs went, before when', async () => {
    const before = Date.now();
    const result = await basewatch([
      'runs',
      'purge',
      '--older-than',
      '30d',
      '--json',
      '--config',
      config,
      '--data',
      join(dir, 'data'),
    ]);
    expect(result.code, result.stderr).toBe(0);
    const answer = JSON.parse(result.stdout) as { purged: number; before: string };
    expect(answer.purged).toBe(0);
    const cutoff = Date.parse(answer.before);
    expect(cutoff).toBeGreaterThanOrEqual(before - 30 * 86_400_000 - 1000);
    expect(cutoff).toBeLessThanOrEqual(Date.now() - 30 * 86_400_000);
  }, 120_000);
});
