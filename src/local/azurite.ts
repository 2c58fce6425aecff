// Azurite's Table service as a child process on a loopback port: the local host's Table storage, kept
// under the data directory (or in memory), and the tests' real Table storage.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';

// Azurite's well-known development account (public and documented; not a secret).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteTables {
  /** For TableClient.fromConnectionString (plain HTTP on loopback). */
  readonly connectionString: string;
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Directory for Azurite's files; absent: in memory, gone when it stops. */
  readonly location?: string;
  readonly timeoutMs?: number;
}

export async function startAzuriteTables(options: AzuriteOptions = {}): Promise<AzuriteTables> {
  const port = await freePort();
  const require = createRequire(import.meta.url);
  const main = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'table', 'main.js');
  const persistence = options.location ? ['--location', options.location] : ['--inMemoryPersistence'];
  if (options.location) await mkdir(options.location, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      main,
      ...persistence,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await waitForPort(child, port, options.timeoutMs ?? 20_000, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    endpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${endpoint};`,
    stop: () => stopProcess(child),
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.once('error', (error) => {
    exited = `could not start: ${error.message}`;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Azurite (Table storage) on port ${port} ${exited}: ${output().trim()}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `Azurite (Table storage) did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${output().trim()}`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
