// One local host per data directory: Azurite keeps its tables in one file, and two processes saving it
// would overwrite each other. The lock names the process and, when it serves HTTP, where to ask instead.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const LOCK_FILE = 'basewatch.lock';

export interface LockHolder {
  readonly pid: number;
  /** The operator API of the holder, when it serves one. */
  readonly url?: string;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${dataDir} is in use by basewatch (pid ${holder.pid})${holder.url ? `, serving ${holder.url}` : ''}: ` +
        `stop it, use its operator API, or choose another --data`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataLock {
  /** Records where the holder serves its API, for commands that find the directory taken. */
  announce(url: string): Promise<void>;
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataLock> {
  const path = join(dataDir, LOCK_FILE);
  const holder = await readHolder(path);
  if (holder && holder.pid !== process.pid && isAlive(holder.pid))
    throw new DataDirInUseError(dataDir, holder);
  await writeFile(path, JSON.stringify({ pid: process.pid }));
  return {
    announce: (url) => writeFile(path, JSON.stringify({ pid: process.pid, url })),
    release: async () => {
      if ((await readHolder(path))?.pid === process.pid) await rm(path, { force: true });
    },
  };
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number'
      ? { pid: parsed.pid, ...(typeof parsed.url === 'string' && { url: parsed.url }) }
      : undefined;
  } catch {
    return undefined;
  }
}

/** A lock left by a process that died (killed, crashed) does not hold. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
