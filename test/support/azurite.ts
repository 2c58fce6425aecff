// Azurite's Table service, in memory, on a free loopback port: the state store's tests run against it.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

// Azurite's well-known development account (public, documented; not a secret).
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteTables {
  /** For TableClient.fromConnectionString(…, { allowInsecureConnection: true }). */
  readonly connectionString: string;
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts `azurite-table --inMemoryPersistence` and resolves once it accepts connections. */
export async function startAzuriteTables(options: { timeoutMs?: number } = {}): Promise<AzuriteTables> {
  const port = await freePort();
  const binary = fileURLToPath(new URL('../../node_modules/.bin/azurite-table', import.meta.url));
  const child = spawn(
    binary,
    [
      '--inMemoryPersistence',
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
    if (exited) throw new Error(`azurite-table on port ${port} ${exited}: ${output().trim()}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `azurite-table did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${output().trim()}`,
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
