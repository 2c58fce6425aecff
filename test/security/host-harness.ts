// The real local host (embedded Azurite, the local engine, the HTTP routes) over real registries, and a raw
// HTTP client that can send what browsers and forgers send: any Host, Origin, Content-Type and body.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorApi } from '../../src/cli/operator-api.js';
import { jsonLogger } from '../../src/core/logger.js';
import { type LocalHost, startLocalHost } from '../../src/local/host.js';
import { TEST_TIMING } from '../api/operator-harness.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface HostUnderTest {
  readonly host: LocalHost;
  readonly port: number;
  /** Every log line the host wrote, as JSON text. */
  readonly logs: string[];
  /** One request to the host; `host` replaces the Host header (null: none at all). */
  send(
    method: string,
    path: string,
    options?: {
      headers?: OutgoingHttpHeaders;
      body?: string | Buffer;
      host?: string | null;
      chunked?: boolean;
    },
  ): Promise<RawResponse>;
  /** Instance ids the engine holds, sorted: what a refused request must leave unchanged. */
  instances(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startHostUnderTest(options: {
  readonly yaml: string;
  readonly env?: Record<string, string>;
}): Promise<HostUnderTest> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-security-'));
  const configFile = join(dir, 'basewatch.yaml');
  await writeFile(configFile, options.yaml);
  const logs: string[] = [];
  const host = await startLocalHost({
    configFile,
    dataDir: join(dir, 'data'),
    inMemory: true,
    port: 0,
    logger: jsonLogger('debug', (line) => logs.push(line) > 0),
    timing: TEST_TIMING,
    env: options.env ?? {},
    api: operatorApi,
  });
  const port = Number(new URL(host.url as string).port);
  const send: HostUnderTest['send'] = (method, path, request = {}) =>
    new Promise((resolve, reject) => {
      const headers: OutgoingHttpHeaders = { ...request.headers };
      if (request.host !== null) headers.host = request.host ?? `127.0.0.1:${port}`;
      if (request.body !== undefined && !request.chunked)
        headers['content-length'] = Buffer.byteLength(request.body);
      const req = httpRequest(
        { host: '127.0.0.1', port, method, path, headers, setHost: false, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString(),
            }),
          );
          res.on('error', reject);
        },
      );
      // The host may answer (and close) before the whole body is sent: the answer is what counts.
      req.on('error', (error) => reject(error));
      if (request.body !== undefined) {
        if (request.chunked) {
          const body = Buffer.from(request.body);
          for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
        } else req.write(request.body);
      }
      req.end();
    });
  return {
    host,
    port,
    logs,
    send,
    instances: async () => (await host.engine.list()).map((run) => run.instanceId).sort(),
    stop: async () => {
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The `error` of a JSON error body. */
export function errorText(response: RawResponse): string {
  const body = JSON.parse(response.text) as { error?: unknown };
  if (typeof body.error !== 'string') throw new Error(`expected an error body, got ${response.text}`);
  return body.error;
}
