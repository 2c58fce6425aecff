import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessEntry, signRegistryToken } from './jwt.js';
import type { SigningCert } from './signing-cert.js';

export interface TokenServerOptions {
  signing: SigningCert;
  service: string;
  issuer: string;
  /** username → password, checked with Basic auth. */
  users?: Record<string, string>;
  /** What a request without credentials gets: pull-only grants (Docker Hub's way) or a 401. */
  anonymous?: 'pull' | 'none';
  expiresInSeconds?: number;
}

/** One call to the token endpoint. */
export interface TokenRequest {
  scopes: string[];
  /** The authenticated user, or undefined for an anonymous request. */
  account: string | undefined;
  status: number;
}

export interface ScopeCount {
  scope: string;
  count: number;
}

export interface TokenServer {
  /** The realm to put in the registry's config, e.g. `http://127.0.0.1:PORT/token`. */
  realm: string;
  service: string;
  issuer: string;
  /** Every request in order, failed ones included. */
  requests(): TokenRequest[];
  /** How many token requests named each scope (a request without scope counts under ''). */
  tokenRequests(): ScopeCount[];
  clearRequests(): void;
  /** Mints a token directly, e.g. to build an Authorization header in a test. */
  issueToken(subject: string, access: AccessEntry[]): string;
  stop(): Promise<void>;
}

/** A Docker token-spec endpoint (GET realm?service=…&scope=…) signing ES256 JWTs. */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const log: TokenRequest[] = [];
  const expiresIn = options.expiresInSeconds ?? 300;
  const issueToken = (subject: string, access: AccessEntry[]): string =>
    signRegistryToken(
      { issuer: options.issuer, subject, audience: options.service, access, expiresInSeconds: expiresIn },
      options.signing.keyPem,
      options.signing.certDer,
    );

  const answer = (req: IncomingMessage): TokenAnswer => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter(Boolean));
    if (req.method !== 'GET' || url.pathname !== '/token') {
      return failure(scopes, undefined, 404, 'NOT_FOUND', 'only GET /token is served');
    }
    if (url.searchParams.get('service') !== options.service) {
      return failure(scopes, undefined, 400, 'INVALID_SERVICE', 'unknown service');
    }
    const credentials = basicCredentials(req.headers.authorization);
    if (credentials && options.users?.[credentials.username] !== credentials.password) {
      return failure(scopes, credentials.username, 401, 'UNAUTHORIZED', 'incorrect username or password');
    }
    if (!credentials && (options.anonymous ?? 'pull') === 'none') {
      return failure(scopes, undefined, 401, 'UNAUTHORIZED', 'authentication required');
    }
    const access = scopes.map(parseScope).filter((entry) => entry !== undefined);
    const granted = credentials
      ? access
      : access.map((entry) => ({ ...entry, actions: pullOnly(entry.actions) }));
    const token = issueToken(credentials?.username ?? '', granted);
    const body = { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() };
    return { request: { scopes, account: credentials?.username, status: 200 }, body };
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const { request, body } = answer(req);
    log.push(request);
    if (request.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="basewatch-test-token"');
    sendJson(res, request.status, body);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service: options.service,
    issuer: options.issuer,
    requests: () => [...log],
    tokenRequests: () => countScopes(log),
    clearRequests: () => {
      log.length = 0;
    },
    issueToken,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `repository:base/node:pull,push` → type, name, actions (a name never holds the last colon). */
function parseScope(scope: string): AccessEntry | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

interface TokenAnswer {
  request: TokenRequest;
  body: unknown;
}

function failure(
  scopes: string[],
  account: string | undefined,
  status: number,
  code: string,
  message: string,
): TokenAnswer {
  return { request: { scopes, account, status }, body: { errors: [{ code, message }] } };
}

function pullOnly(actions: string[]): string[] {
  return actions.filter((action) => action === 'pull');
}

function countScopes(log: TokenRequest[]): ScopeCount[] {
  const counts = new Map<string, number>();
  for (const request of log) {
    for (const scope of request.scopes.length > 0 ? request.scopes : ['']) {
      counts.set(scope, (counts.get(scope) ?? 0) + 1);
    }
  }
  return [...counts].map(([scope, count]) => ({ scope, count }));
}

function basicCredentials(header: string | undefined): { username: string; password: string } | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}
