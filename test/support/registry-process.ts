import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

/** One request as the registry logged it ("response completed" and authorization-failure lines). */
export interface LoggedRequest {
  method: string;
  uri: string;
  status: number;
}

const STDERR_KEPT = 64 * 1024;
/** The repository of the requests `settled()` sends to find where the log has got to. */
const MARKER_REPOSITORY = 'basewatch-log-marker';

// A test run that dies without stop() must not leave registries listening behind it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A running `docker-registry serve CONFIG`, its stderr kept and its request log parsed. */
export class RegistryProcess {
  readonly child: ChildProcess;
  private stderr = '';
  private partialLine = '';
  private logged: LoggedRequest[] = [];
  readonly exited: Promise<number | null>;

  constructor(configPath: string) {
    this.child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    running.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        running.delete(this.child);
        resolve(code);
      });
      this.child.once('error', (error) => {
        this.stderr += `\nspawn docker-registry failed: ${error.message}`;
        resolve(null);
      });
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => this.onStderr(chunk));
  }

  get stderrText(): string {
    return this.stderr;
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  requests(): LoggedRequest[] {
    return [...this.logged];
  }

  clearRequests(): void {
    this.logged = [];
  }

  /**
   * Resolves once the registry has logged a marker request sent now. Its log lags its responses, and it
   * logs each request as it completes, so every response we had before this call is in the log by then.
   * The marker itself is kept out of `requests()`.
   */
  async settled(baseUrl: string, maxMs = 10_000): Promise<void> {
    const marker = `${MARKER_REPOSITORY}/${randomUUID()}`;
    const response = await fetch(`${baseUrl}/v2/${marker}/tags/list`);
    await response.body?.cancel();
    const deadline = Date.now() + maxMs;
    while (!this.stderr.includes(marker)) {
      if (Date.now() > deadline)
        throw new Error(`docker-registry did not log the marker ${marker} in ${maxMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    if (!this.isRunning) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  private onStderr(chunk: string): void {
    this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT);
    const lines = (this.partialLine + chunk).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) {
      const request = parseRequestLine(line);
      if (request && !request.uri.includes(MARKER_REPOSITORY)) this.logged.push(request);
    }
  }
}

function parseRequestLine(line: string): LoggedRequest | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const method = entry['http.request.method'];
  const uri = entry['http.request.uri'];
  if (typeof method !== 'string' || typeof uri !== 'string') return undefined;
  const status = entry['http.response.status'];
  if (typeof status === 'number') return { method, uri, status };
  // A rejected credential is logged as a warning without the 401 it answered.
  const message = entry.msg;
  if (typeof message === 'string' && message.startsWith('error authorizing context')) {
    return { method, uri, status: 401 };
  }
  return undefined;
}
