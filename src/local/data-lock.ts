// One local host per data directory: Azurite keeps its tables in one file, and two processes saving it
// would overwrite each other. The lock names the process and, when it serves HTTP, where to ask instead.
//
// Taking it is one atomic step: a complete lock file is written under a name of its own (`wx`) and then
// hard-linked to `basewatch.lock`, which fails with EEXIST when anyone holds it. A stale lock (its holder
// died) is recognised by the host name, the pid and that pid's start time, and removed by the one process
// that claims it.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const LOCK_FILE = 'basewatch.lock';
/** Rounds of take-or-inspect before giving up: each round ends with the lock taken, refused, or moved. */
const ATTEMPTS = 10;
/** How long to let another process finish taking over a stale lock (its steps are a few file operations). */
const TAKEOVER_WAIT_MS = 5_000;

export interface LockHolder {
  readonly pid: number;
  /** The machine the holder runs on: a pid means nothing on another machine. */
  readonly host?: string;
  /** The holder's start time as the kernel counts it (Linux: /proc/<pid>/stat), so a reused pid is not taken for it. */
  readonly started?: string;
  /** Unique per lock taken: only the lock with this nonce is ever released by its taker. */
  readonly nonce?: string;
  /** The operator API of the holder, when it serves one. */
  readonly url?: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.host && holder.host !== hostname() ? ` on ${holder.host}` : '';
    super(
      `${dataDir} is in use by basewatch (pid ${holder.pid}${where})${holder.url ? `, serving ${holder.url}` : ''}: ` +
        `stop it, use its operator API, or choose another --data`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataLock {
  /** Records where the holder serves its API, for commands that find the directory taken. */
  announce(url: string): Promise<void>;
  /** Deletes the lock if it is still this one's; a lock someone else holds is left alone. */
  release(): Promise<void>;
}

/** Nonces of the locks this process holds: a lock naming this pid with another nonce is a previous process's. */
const heldHere = new Set<string>();

export async function lockDataDir(dataDir: string): Promise<DataLock> {
  const path = join(dataDir, LOCK_FILE);
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    ...optional('started', processStartTime(process.pid)),
    nonce: randomBytes(16).toString('hex'),
  };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await create(path, mine)) {
      heldHere.add(mine.nonce as string);
      return ownLock(path, mine);
    }
    const text = await readText(path);
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder === undefined)
      throw new Error(`${path} is not a basewatch lock: remove it if no basewatch uses ${dataDir}`);
    if (holds(holder)) throw new DataDirInUseError(dataDir, holder);
    await removeStale(path, text, mine);
  }
  throw new Error(`${path}: the lock kept changing hands; try again`);
}

function ownLock(path: string, mine: LockHolder): DataLock {
  const isMine = async () => {
    const holder = await readHolder(path);
    return holder?.nonce === mine.nonce;
  };
  return {
    announce: async (url) => {
      if (!(await isMine())) throw new Error(`${path} is no longer held by this process`);
      // Replaced whole by rename, so a reader never sees half a file.
      const next = `${path}.${mine.nonce}.next`;
      await writeFile(next, JSON.stringify({ ...mine, url }), { flag: 'wx' });
      await rename(next, path);
    },
    release: async () => {
      heldHere.delete(mine.nonce as string);
      if (await isMine()) await rm(path, { force: true });
    },
  };
}

/** Writes the whole lock under a name of its own, then links it into place: true when this process took it. */
async function create(path: string, holder: LockHolder): Promise<boolean> {
  const draft = `${path}.${holder.nonce}`;
  await writeFile(draft, JSON.stringify(holder), { flag: 'wx' });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

/**
 * Removes a stale lock so that the next round can take it. Only the one process that claims this exact
 * lock (a file named after a hash of its text, created by link) may delete it, and only after reading it back
 * unchanged: a lock that changed hands meanwhile is never deleted.
 */
async function removeStale(path: string, staleText: string, mine: LockHolder): Promise<void> {
  const claim = `${path}.takeover.${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
  const draft = `${path}.${mine.nonce}.claim`;
  await writeFile(draft, JSON.stringify(mine), { flag: 'wx' });
  try {
    await link(draft, claim);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const claimer = await readHolder(claim);
    if (claimer === undefined) return;
    // A takeover whose process died before finishing: nobody else may delete the lock it claimed.
    if (!holds(claimer)) {
      if ((await readText(path)) === staleText)
        throw new Error(`${path} is stale and ${claim} was left by a takeover that died: remove both`);
      return;
    }
    await takeoverDone(path, staleText, claim);
    return;
  } finally {
    await rm(draft, { force: true });
  }
  try {
    if ((await readText(path)) === staleText) await rm(path, { force: true });
  } finally {
    await rm(claim, { force: true });
  }
}

/** Waits (briefly) while another process takes over the same stale lock, so the next round sees its lock. */
async function takeoverDone(path: string, staleText: string, claim: string): Promise<void> {
  for (let waited = 0; waited < TAKEOVER_WAIT_MS; waited += 10) {
    if ((await readText(path)) !== staleText || (await readText(claim)) === undefined) return;
    await delay(10);
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  const text = await readText(path);
  return text === undefined ? undefined : parseHolder(text);
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Record<keyof LockHolder, unknown>>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
    return {
      pid: parsed.pid,
      ...optional('host', parsed.host),
      ...optional('started', parsed.started),
      ...optional('nonce', parsed.nonce),
      ...optional('url', parsed.url),
    };
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder may still be running: when in doubt, it holds. */
function holds(holder: LockHolder): boolean {
  // A pid on another machine cannot be checked from here.
  if (holder.host !== undefined && holder.host !== hostname()) return true;
  if (holder.pid === process.pid) {
    // This pid with a nonce this process never took: a previous process that had the same pid (containers start at 1).
    return holder.nonce !== undefined && heldHere.has(holder.nonce);
  }
  if (!isAlive(holder.pid)) return false;
  // The pid runs, but if it started at another time it is someone else who got the pid later.
  const started = processStartTime(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

/**
 * Whether a process with this pid exists: EPERM means it does, owned by someone else. `signal` is
 * process.kill; tests hand in the answers the kernel gives a user that is not root.
 */
export function isAlive(pid: number, signal: (pid: number, signal: 0) => unknown = process.kill): boolean {
  try {
    signal(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks after boot); undefined where there is no /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function optional<Key extends string>(key: Key, value: unknown): { [K in Key]?: string } {
  return (typeof value === 'string' ? { [key]: value } : {}) as { [K in Key]?: string };
}
