// Credentials for ACR's data plane from the app's Azure identity: an Entra token is exchanged at
// /oauth2/exchange for an ACR refresh token, which the registry accepts as the password of a fixed
// user name. The import's verification HEADs the target tag with these.
import type { TokenCredential } from '@azure/identity';
import type { RegistryCredential } from '../core/credential.js';
import type { CredentialSource } from '../registry/auth.js';
import { HttpClient } from '../registry/http.js';
import { registryBaseUrl } from '../registry/registry-url.js';

/** The user name ACR expects with a refresh token as the password (documented by ACR). */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
/** Tokens for ARM's audience are accepted by every registry; ABAC registries also take containerregistry.azure.net. */
export const DEFAULT_ACR_TOKEN_SCOPE = 'https://management.azure.com/.default';
// ACR refresh tokens live about three hours; ask again well before, and never past the Entra token.
const REFRESH_TOKEN_LIFETIME_MS = 2 * 60 * 60 * 1000;
const RENEW_BEFORE_MS = 5 * 60 * 1000;
const MAX_EXCHANGE_BYTES = 64 * 1024;

export interface AcrDataPlaneCredentialOptions {
  readonly credential: TokenCredential;
  /** The registry these credentials are for, e.g. `myregistry.azurecr.io`; other hosts get none. */
  readonly loginServer: string;
  readonly scope?: string;
  readonly http?: HttpClient;
  readonly now?: () => number;
}

export function acrDataPlaneCredentials(options: AcrDataPlaneCredentialOptions): CredentialSource {
  const http = options.http ?? new HttpClient();
  const now = options.now ?? Date.now;
  let cached: { credentials: RegistryCredential; renewAt: number } | undefined;
  let pending: Promise<RegistryCredential> | undefined;

  const exchange = async (): Promise<RegistryCredential> => {
    const what = `exchange the Azure identity's token for an ACR refresh token at ${options.loginServer}`;
    const token = await options.credential.getToken(options.scope ?? DEFAULT_ACR_TOKEN_SCOPE);
    if (!token) throw new Error(`${what}: the Azure identity returned no token`);
    const body = new URLSearchParams({
      grant_type: 'access_token',
      service: options.loginServer,
      access_token: token.token,
    }).toString();
    const response = await http.request({
      method: 'POST',
      url: `${registryBaseUrl(options.loginServer)}/oauth2/exchange`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const text = await readText(response.body);
    if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status}`);
    let refreshToken: unknown;
    try {
      refreshToken = (JSON.parse(text) as { refresh_token?: unknown }).refresh_token;
    } catch {
      throw new Error(`${what}: the answer is not JSON`);
    }
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new Error(`${what}: the answer has no refresh_token`);
    }
    const credentials = { username: ACR_REFRESH_TOKEN_USER, password: refreshToken };
    const expiresAt = Math.min(token.expiresOnTimestamp, now() + REFRESH_TOKEN_LIFETIME_MS);
    cached = { credentials, renewAt: expiresAt - RENEW_BEFORE_MS };
    return credentials;
  };

  return async (registry) => {
    if (registry !== options.loginServer) return undefined;
    if (cached && now() < cached.renewAt) return cached.credentials;
    // Concurrent verifications share one exchange.
    pending ??= exchange().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

async function readText(body: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > MAX_EXCHANGE_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
