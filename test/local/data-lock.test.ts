import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from '../../src/local/data-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-lock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

it('a live holder keeps the data directory, and says where its API is', async () => {
  // A process that is alive for sure: this one's parent.
  await writeFile(
    join(dir, 'basewatch.lock'),
    JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:7071' }),
  );
  const error = await lockDataDir(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataDirInUseError);
  expect((error as DataDirInUseError).holder).toEqual({ pid: process.ppid, url: 'http://127.0.0.1:7071' });
  expect((error as Error).message).toContain(`pid ${process.ppid}`);
});

it('a lock left by a process that died is taken over, and released on stop', async () => {
  const dead = spawnSync(process.execPath, [
    '-e',
    'process.stdout.write(String(process.pid))',
  ]).stdout.toString();
  await writeFile(join(dir, 'basewatch.lock'), JSON.stringify({ pid: Number(dead) }));
  const lock = await lockDataDir(dir);
  await lock.announce('http://127.0.0.1:9999');
  expect(JSON.parse(await readFile(join(dir, 'basewatch.lock'), 'utf8'))).toEqual({
    pid: process.pid,
    url: 'http://127.0.0.1:9999',
  });
  await lock.release();
  await expect(readFile(join(dir, 'basewatch.lock'))).rejects.toThrow('ENOENT');
});
