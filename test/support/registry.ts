import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import {
  type NotificationEndpoint,
  type RegistryAuthConfig,
  writeHtpasswd,
  writeRegistryConfig,
} from './registry-config.js';
import { type LoggedRequest, RegistryProcess } from './registry-process.js';
import { createSigningCert } from './signing-cert.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export type { NotificationEndpoint } from './registry-config.js';
export type { LoggedRequest } from './registry-process.js';

export interface RegistryOptions {
  /** `none` (default), `htpasswd` (Basic), or `token` (Bearer flow through a test token server). */
  auth?: 'none' | 'htpasswd' | 'token';
  /** username → password for htpasswd or the token server. */
  users?: Record<string, string>;
  /** Token auth: what a request without credentials gets from the token server (default pull). */
  anonymous?: 'pull' | 'none';
  /** Token auth: lifetime of issued tokens in seconds (default 300). */
  tokenExpiresInSeconds?: number;
  notifications?: NotificationEndpoint[];
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The filesystem driver's root directory. */
  dataDir: string;
  /** Present when auth is `token`. */
  tokenServer?: TokenServer;
  /** Requests the registry has logged so far (call `settled()` first to see the latest ones). */
  requests(): LoggedRequest[];
  clearRequests(): void;
  /** Waits until the registry has logged every request answered before the call, so `requests()` has them. */
  settled(): Promise<void>;
  /** Kills the registry outright (SIGKILL), keeping its port, storage and token server. */
  kill(): Promise<void>;
  /** Starts a killed registry again on the same port and storage; no-op while it runs. */
  start(): Promise<void>;
  /** Stops the registry and token server and removes the temp dir. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 15_000;

/** Starts CNCF Distribution (`docker-registry serve`) on a free loopback port with storage in a temp dir. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-registry-'));
  let tokenServer: TokenServer | undefined;
  try {
    const dataDir = join(dir, 'data');
    await mkdir(dataDir);
    let auth: RegistryAuthConfig = { kind: 'none' };
    if (options.auth === 'htpasswd') {
      const path = join(dir, 'htpasswd');
      await writeHtpasswd(path, options.users ?? {});
      auth = { kind: 'htpasswd', path };
    } else if (options.auth === 'token') {
      const signing = await createSigningCert(dir);
      tokenServer = await startTokenServer({
        signing,
        service: 'basewatch-test-registry',
        issuer: 'basewatch-test-token-server',
        users: options.users ?? {},
        anonymous: options.anonymous ?? 'pull',
        expiresInSeconds: options.tokenExpiresInSeconds ?? 300,
      });
      auth = {
        kind: 'token',
        realm: tokenServer.realm,
        service: tokenServer.service,
        issuer: tokenServer.issuer,
        rootCertBundle: signing.certPath,
      };
    }
    const started = await spawnOnFreePort(dir, dataDir, auth, options.notifications);
    let current = started.registryProcess;
    // Requests logged by processes that were killed and replaced, so counts survive a restart.
    let earlier: LoggedRequest[] = [];
    const url = `http://127.0.0.1:${started.port}`;
    const kill = async () => {
      if (!current.isRunning) return;
      current.child.kill('SIGKILL');
      await current.exited;
    };
    const start = async () => {
      if (current.isRunning) return;
      earlier = [...earlier, ...current.requests()];
      const next = new RegistryProcess(started.configPath);
      current = next;
      try {
        await waitUntilServing(next, `${url}/v2/`);
      } catch (error) {
        await next.stop();
        throw error;
      }
    };
    return {
      host: `127.0.0.1:${started.port}`,
      url,
      dataDir,
      ...(tokenServer ? { tokenServer } : {}),
      requests: () => [...earlier, ...current.requests()],
      clearRequests: () => {
        earlier = [];
        current.clearRequests();
      },
      settled: () => current.settled(url),
      kill,
      start,
      stop: async () => {
        await current.stop();
        await tokenServer?.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await tokenServer?.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function spawnOnFreePort(
  dir: string,
  dataDir: string,
  auth: RegistryAuthConfig,
  notifications: NotificationEndpoint[] | undefined,
): Promise<{ registryProcess: RegistryProcess; port: number; configPath: string }> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const configPath = await writeRegistryConfig(dir, { port, storageDir: dataDir, auth, notifications });
    const registryProcess = new RegistryProcess(configPath);
    try {
      await waitUntilServing(registryProcess, `http://127.0.0.1:${port}/v2/`);
      return { registryProcess, port, configPath };
    } catch (error) {
      await registryProcess.stop();
      lastError = error as Error;
      // Another process may have taken the port between probe and bind: try a new one.
      if (!registryProcess.stderrText.includes('address already in use')) break;
    }
  }
  throw lastError ?? new Error('docker-registry did not start');
}

async function waitUntilServing(registry: RegistryProcess, pingUrl: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!registry.isRunning) {
      await registry.exited;
      throw new Error(`docker-registry exited before serving ${pingUrl}:\n${registry.stderrText}`);
    }
    try {
      // Any HTTP answer (200, or 401 with auth) means the registry is up.
      const response = await fetch(pingUrl, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      // The port may belong to someone else: only our registry logs that it listens.
      if (registry.isRunning && registry.stderrText.includes('listening on')) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `docker-registry did not answer ${pingUrl} within ${READY_TIMEOUT_MS} ms:\n${registry.stderrText}`,
  );
}
