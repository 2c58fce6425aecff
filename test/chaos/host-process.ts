// `basewatch start` as a child process, the way a user runs it, that a test can kill -9 and start again.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `npm run chaos -- --built` compiles the sources (tsc, outside dist/, which others' builds own). */
export const BUILT_MAIN = 'node_modules/.cache/chaos-build/src/cli/main.js';

export interface HostProcessOptions {
  readonly config: string;
  readonly data: string;
  readonly port: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Run the build (BUILT_MAIN, see buildHost) instead of the sources through tsx. */
  readonly built?: boolean;
  /** The checkout to run (default: this one). */
  readonly root?: string;
  /** How long to wait for the operator API to answer (default 90 s: a busy 2-core machine). */
  readonly readyTimeoutMs?: number;
}

export interface HostProcess {
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to the first answer of GET /api/runs. */
  readonly startMs: number;
  /** Everything the host wrote to stderr so far (its JSON log). */
  stderr(): string;
  /** kill -9: no handler runs, nothing is flushed. */
  kill(): Promise<void>;
  /** SIGTERM, as a user stops it. */
  stop(): Promise<void>;
}

export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  const entry = options.built ? [BUILT_MAIN] : ['--import', 'tsx', 'src/cli/main.ts'];
  const began = Date.now();
  const child = spawn(
    process.execPath,
    [...entry, 'start', '--config', options.config, '--data', options.data, '--port', String(options.port)],
    {
      cwd: options.root ?? ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    // Keep the tail only: a long chaos run logs a lot.
    stderr = (stderr + text).slice(-256 * 1024);
  });
  const url = `http://127.0.0.1:${options.port}`;
  const host: HostProcess = {
    url,
    pid: child.pid ?? -1,
    startMs: 0,
    stderr: () => stderr,
    kill: () => signal(child, 'SIGKILL'),
    stop: () => signal(child, 'SIGTERM'),
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `basewatch start exited (${child.exitCode ?? child.signalCode}) before answering:\n${stderr}`,
      );
    }
    const answer = await fetch(`${url}/api/runs?limit=1`).catch(() => undefined);
    if (answer?.ok) {
      await answer.body?.cancel();
      return { ...host, startMs: Date.now() - began };
    }
    if (Date.now() > deadline) {
      await host.kill();
      throw new Error(
        `basewatch start did not answer on ${url} within ${options.readyTimeoutMs ?? 90_000} ms:\n${stderr}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(name);
  await exited;
}

/** POST with the JSON content type the local host requires. */
export function postJson(url: string, body: unknown = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Compiles the sources to BUILT_MAIN with tsc (a type error elsewhere in the tree does not stop tsc
 * from writing JavaScript, so only a missing entry point fails). Returns the ms it took.
 */
export async function buildHost(root = ROOT): Promise<number> {
  const began = Date.now();
  const outDir = join(root, BUILT_MAIN, '../../..');
  await new Promise<void>((resolve) =>
    execFile(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      () => resolve(),
    ),
  );
  if (!existsSync(join(root, BUILT_MAIN))) throw new Error(`tsc wrote no ${BUILT_MAIN}`);
  return Date.now() - began;
}

/**
 * The last commit's sources in `dir`, sharing this checkout's node_modules: a long run on a tree that
 * others edit meanwhile tests what was committed, not a file half-way through an edit.
 */
export async function snapshotOfHead(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) =>
    execFile('bash', ['-c', `git -C "${ROOT}" archive HEAD | tar -x -C "${dir}"`], (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
