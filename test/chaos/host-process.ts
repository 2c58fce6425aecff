// `basewatch start` as a child process, the way a user runs it, that a test can kill -9 and start again.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface HostProcessOptions {
  readonly config: string;
  readonly data: string;
  readonly port: number;
  readonly env?: Readonly<Record<string, string>>;
  /** Run the build (dist/src/cli/main.js) instead of the sources through tsx. */
  readonly built?: boolean;
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
  const entry = options.built ? ['dist/src/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const began = Date.now();
  const child = spawn(
    process.execPath,
    [...entry, 'start', '--config', options.config, '--data', options.data, '--port', String(options.port)],
    { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'ignore', 'pipe'] },
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
