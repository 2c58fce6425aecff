import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, isAlive, lockDataDir } from '../../src/local/data-lock.js';

const LOCK_MODULE = fileURLToPath(new URL('../../src/local/data-lock.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-lock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const lockPath = () => join(dir, 'basewatch.lock');
const readLock = async () => JSON.parse(await readFile(lockPath(), 'utf8')) as Record<string, unknown>;

/** A pid that ran and exited: nobody holds it now. */
function deadPid(): number {
  return Number(
    spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString(),
  );
}

/** Field 22 of /proc/<pid>/stat, read here independently of the code under test. */
function startTimeOf(pid: number): string {
  const stat = spawnSync('cat', [`/proc/${pid}/stat`]).stdout.toString();
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
}

it('a live holder keeps the data directory, and says where its API is', async () => {
  // A process that is alive for sure: this one's parent.
  await writeFile(lockPath(), JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:7071' }));
  const error = await lockDataDir(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataDirInUseError);
  expect((error as DataDirInUseError).holder).toEqual({ pid: process.ppid, url: 'http://127.0.0.1:7071' });
  expect((error as Error).message).toContain(`pid ${process.ppid}`);
  expect((error as Error).message).toContain('serving http://127.0.0.1:7071');
  expect(await readLock()).toEqual({ pid: process.ppid, url: 'http://127.0.0.1:7071' });
});

it('a lock left by a process that died is taken over, announced, and released on stop', async () => {
  const dead = deadPid();
  await writeFile(lockPath(), JSON.stringify({ pid: dead, host: hostname(), started: '1', nonce: 'old' }));
  const lock = await lockDataDir(dir);
  await lock.announce('http://127.0.0.1:9999');
  const written = await readLock();
  expect(written).toMatchObject({
    pid: process.pid,
    host: hostname(),
    started: startTimeOf(process.pid),
    url: 'http://127.0.0.1:9999',
  });
  expect(written.nonce).toMatch(/^[0-9a-f]{32}$/);
  await lock.release();
  await expect(readFile(lockPath())).rejects.toThrow('ENOENT');
  // Nothing else is left behind in the directory: no drafts, no stale copies.
  expect(await readdir(dir)).toEqual([]);
});

it('release deletes only its own lock: a lock someone else holds now stays', async () => {
  const lock = await lockDataDir(dir);
  const other = {
    pid: process.ppid,
    host: hostname(),
    started: startTimeOf(process.ppid),
    nonce: 'f'.repeat(32),
  };
  await writeFile(lockPath(), JSON.stringify(other));
  await lock.release();
  expect(await readLock()).toEqual(other);
});

it('a lock naming this pid that this process never took is a previous process’s (containers reuse pid 1), and is taken over', async () => {
  await writeFile(lockPath(), JSON.stringify({ pid: process.pid }));
  const lock = await lockDataDir(dir);
  expect((await readLock()).nonce).toMatch(/^[0-9a-f]{32}$/);
  await lock.release();
});

it('a second lock in the same process is refused while the first is held', async () => {
  const first = await lockDataDir(dir);
  const error = await lockDataDir(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataDirInUseError);
  expect((error as Error).message).toContain(`pid ${process.pid}`);
  await first.release();
  const again = await lockDataDir(dir);
  await again.release();
});

it('a live pid that started at another time than the lock says is not the holder (the pid was reused)', async () => {
  const recorded = String(Number(startTimeOf(process.ppid)) + 1);
  await writeFile(
    lockPath(),
    JSON.stringify({ pid: process.ppid, host: hostname(), started: recorded, nonce: 'a'.repeat(32) }),
  );
  const lock = await lockDataDir(dir);
  expect((await readLock()).pid).toBe(process.pid);
  await lock.release();
});

it('a live pid with the start time the lock records holds it', async () => {
  const holder = {
    pid: process.ppid,
    host: hostname(),
    started: startTimeOf(process.ppid),
    nonce: 'b'.repeat(32),
  };
  await writeFile(lockPath(), JSON.stringify(holder));
  const error = await lockDataDir(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataDirInUseError);
  expect(await readLock()).toEqual(holder);
});

// The kernel's answers as a user that is not root gets them; mutation testing runs in threads of one
// process, where neither another user's child nor a change of uid can show it the real EPERM.
it('a pid that answers EPERM exists (another user owns it); ESRCH means none', () => {
  const answer = (code: string) => () => {
    throw Object.assign(new Error(`kill: ${code}`), { code });
  };
  expect(isAlive(4242, answer('EPERM'))).toBe(true);
  expect(isAlive(4242, answer('ESRCH'))).toBe(false);
  expect(isAlive(4242, () => true)).toBe(true);
  expect(isAlive(process.pid)).toBe(true);
  expect(isAlive(deadPid())).toBe(false);
});

it('a lock taken on another machine is never taken over from here, and the message names that machine', async () => {
  const holder = { pid: deadPid(), host: 'build-agent-7', started: '1', nonce: 'c'.repeat(32) };
  await writeFile(lockPath(), JSON.stringify(holder));
  const error = await lockDataDir(dir).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DataDirInUseError);
  expect((error as Error).message).toContain('on build-agent-7');
  expect(await readLock()).toEqual(holder);
});

it('a stale lock whose takeover died half-way is refused naming both files, and neither is touched', async () => {
  const stale = JSON.stringify({ pid: deadPid(), host: hostname(), started: '1', nonce: '7'.repeat(32) });
  await writeFile(lockPath(), stale);
  // The claim a takeover leaves: named after the stale lock's text, holding the (dead) claimer.
  const claim = `${lockPath()}.takeover.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}`;
  const claimer = JSON.stringify({ pid: deadPid(), host: hostname(), started: '1', nonce: '8'.repeat(32) });
  await writeFile(claim, claimer);
  await expect(lockDataDir(dir)).rejects.toThrow(
    `${lockPath()} is stale and ${claim} was left by a takeover that died: remove both`,
  );
  expect(await readFile(lockPath(), 'utf8')).toBe(stale);
  expect(await readFile(claim, 'utf8')).toBe(claimer);
  expect((await readdir(dir)).sort()).toEqual(['basewatch.lock', claim.slice(dir.length + 1)]);
});

it('a file that is not a lock is refused by name, not overwritten', async () => {
  await writeFile(lockPath(), 'not json');
  await expect(lockDataDir(dir)).rejects.toThrow(`${lockPath()} is not a basewatch lock`);
  expect(await readFile(lockPath(), 'utf8')).toBe('not json');
});

/** Children that each take the lock when told to (all at once), report, and hold it until they are told to go. */
function lockTakers(count: number, uid?: number): { children: ChildProcess[]; results: Promise<string[]> } {
  const script = `
    const { lockDataDir } = await import(${JSON.stringify(LOCK_MODULE)});
    const lines = (await import('node:readline')).createInterface({ input: process.stdin });
    const next = () => new Promise((resolve) => lines.once('line', resolve));
    process.stdout.write('ready\\n');
    await next();
    let lock;
    try { lock = await lockDataDir(${JSON.stringify(dir)}); process.stdout.write('took ' + process.pid + '\\n'); }
    catch (error) { process.stdout.write('refused ' + error.name + ': ' + error.message + '\\n'); }
    await next();
    await lock?.release();
    process.exit(0);`;
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      ...(uid !== undefined && { uid, gid: uid }),
    }),
  );
  const linesOf = (child: ChildProcess) => {
    const seen: string[] = [];
    let buffer = '';
    const waiters: Array<() => void> = [];
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() as string;
      seen.push(...parts);
      for (const wake of waiters.splice(0)) wake();
    });
    return async (count: number) => {
      while (seen.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return seen[count - 1] as string;
    };
  };
  const readers = children.map(linesOf);
  const results = (async () => {
    await Promise.all(readers.map((line) => line(1)));
    // Every child is ready: one write each, back to back, is as together as two hosts started at once.
    for (const child of children) child.stdin!.write('go\n');
    return Promise.all(readers.map((line) => line(2)));
  })();
  return { children, results };
}

async function finish(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.stdin!.write('done\n');
        }),
    ),
  );
}

/** Four processes race for the lock: one takes it, the others are refused naming the winner's pid. */
async function expectOneOfFourTakes(): Promise<void> {
  const { children, results } = lockTakers(4);
  try {
    const lines = await results;
    const took = lines.filter((line) => line.startsWith('took '));
    expect(took).toHaveLength(1);
    const winner = (took[0] as string).slice('took '.length);
    for (const line of lines.filter((l) => !l.startsWith('took ')))
      expect(line).toContain(`refused DataDirInUseError: ${dir} is in use by basewatch (pid ${winner})`);
    expect((await readLock()).pid).toBe(Number(winner));
  } finally {
    await finish(children);
  }
}

describe('processes taking the lock at once', { timeout: 60_000 }, () => {
  it('exactly one of four takes a free lock; the others are refused naming the holder', async () => {
    await expectOneOfFourTakes();
  });

  it('exactly one of four takes over a stale lock', async () => {
    await writeFile(
      lockPath(),
      JSON.stringify({ pid: deadPid(), host: hostname(), started: '1', nonce: 'd'.repeat(32) }),
    );
    await expectOneOfFourTakes();
  });

  it('a holder owned by another user (EPERM to signal) is alive: a process of another user is refused', async () => {
    const holder = await lockDataDir(dir);
    try {
      await chmod(dir, 0o777);
      const nobody = process.getuid?.() === 0 ? 65534 : undefined;
      // Only root can start a process as another user; as anyone else, kill(0) on root's pid gives EPERM anyway.
      const { children, results } = lockTakers(1, nobody);
      try {
        const [line] = await results;
        expect(line).toContain(
          `refused DataDirInUseError: ${dir} is in use by basewatch (pid ${process.pid})`,
        );
        expect((await readLock()).pid).toBe(process.pid);
      } finally {
        await finish(children);
      }
    } finally {
      await holder.release();
    }
  });
});
