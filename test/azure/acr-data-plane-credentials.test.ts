import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACR_REFRESH_TOKEN_USER,
  acrDataPlaneCredentials,
  DEFAULT_ACR_TOKEN_SCOPE,
} from '../../src/azure/acr-data-plane-credentials.js';
import { TestTokenCredential, tokenFor } from '../support/azure/test-credential.js';

/** ACR's /oauth2/exchange, as far as the exchange goes: form fields checked, a refresh token issued. */
async function startExchange(options: { refuse?: boolean } = {}) {
  const exchanges: Record<string, string>[] = [];
  let server!: Server;
  const host = await new Promise<string>((resolve) => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const valid =
          req.method === 'POST' &&
          req.url === '/oauth2/exchange' &&
          req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
          form.grant_type === 'access_token' &&
          form.service === host &&
          form.access_token === tokenFor(DEFAULT_ACR_TOKEN_SCOPE);
        if (!valid || options.refuse) {
          res
            .writeHead(401, { 'content-type': 'application/json' })
            .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        exchanges.push(form);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ refresh_token: `acr-refresh-${exchanges.length}` }));
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  return { host, exchanges, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

describe('acrDataPlaneCredentials', () => {
  it('exchanges the identity token for a refresh token once, and again when it is due', async () => {
    const exchange = await startExchange();
    stop = exchange.stop;
    let clock = 1_000_000;
    const source = acrDataPlaneCredentials({
      credential: new TestTokenCredential(),
      loginServer: exchange.host,
      now: () => clock,
    });

    const [first, concurrent] = await Promise.all([source(exchange.host), source(exchange.host)]);
    expect(first).toEqual({ username: ACR_REFRESH_TOKEN_USER, password: 'acr-refresh-1' });
    expect(concurrent).toEqual(first);
    expect(await source(exchange.host)).toEqual(first);
    expect(exchange.exchanges).toHaveLength(1);

    clock += 3 * 60 * 60 * 1000;
    expect(await source(exchange.host)).toEqual({
      username: ACR_REFRESH_TOKEN_USER,
      password: 'acr-refresh-2',
    });
  });

  it('gives no credentials for another registry', async () => {
    const source = acrDataPlaneCredentials({
      credential: new TestTokenCredential(),
      loginServer: 'a.azurecr.io',
    });
    expect(await source('docker.io')).toBeUndefined();
  });

  it('fails naming the registry, never the token, when the exchange is refused', async () => {
    const exchange = await startExchange({ refuse: true });
    stop = exchange.stop;
    const source = acrDataPlaneCredentials({
      credential: new TestTokenCredential(),
      loginServer: exchange.host,
    });
    const error = (await Promise.resolve(source(exchange.host)).catch((e: unknown) => e)) as Error;

    expect(error.message).toContain(`ACR refresh token at ${exchange.host}: HTTP 401`);
    expect(error.message).not.toContain(tokenFor(DEFAULT_ACR_TOKEN_SCOPE));
  });
});
