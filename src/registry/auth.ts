// Registry authentication from the WWW-Authenticate challenge: anonymous, Basic, and the Bearer
// token flow (realm/service/scope), with tokens cached per registry and scope until they expire.
import type { RegistryCredential } from '../core/credential.js';
import { RegistryError } from './errors.js';
import type { HttpClient } from './http.js';
import { isLoopbackHost, registryBaseUrl } from './registry-url.js';

/** Credentials for a registry host, or undefined for anonymous access. May throw (missing secret). */
export type CredentialSource = (
  registry: string,
) => RegistryCredential | undefined | Promise<RegistryCredential | undefined>;

export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges may share one header). */
export function parseChallenges(header: string): Challenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  const token = /\s*([A-Za-z][\w-]*)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^,\s]*))?\s*,?/gy;
  let match: RegExpExecArray | null = token.exec(header);
  while (match && match[0] !== '') {
    const [, name, rawValue] = match;
    if (rawValue === undefined) {
      challenges.push({ scheme: name!.toLowerCase(), params: {} });
    } else {
      const value = rawValue.startsWith('"') ? rawValue.slice(1, -1).replace(/\\(.)/g, '$1') : rawValue;
      const current = challenges.at(-1);
      if (current) current.params[name!.toLowerCase()] = value;
    }
    match = token.exec(header);
  }
  return challenges;
}

/** What a registry asked for the last time it refused us. */
type Scheme = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
}

const DEFAULT_TOKEN_SECONDS = 60;
const MAX_TOKEN_BYTES = 64 * 1024;

export interface AuthenticatorOptions {
  readonly http: HttpClient;
  /** Where a registry is reached, to resolve a relative token realm. */
  readonly baseUrl?: (registry: string) => string;
  readonly credentials?: CredentialSource;
  /** Registries configured as `http://host`: a realm on that same host may be plain HTTP too. */
  readonly plainHttpHosts?: ReadonlySet<string>;
  readonly now?: () => number;
}

/**
 * Holds what each registry asked for and the tokens it gave. Token fetches for the same scope are
 * shared, so many concurrent requests to one repository cost one token request.
 */
export class Authenticator {
  private readonly schemes = new Map<string, Scheme>();
  private readonly tokens = new Map<string, { promise: Promise<CachedToken>; settled?: CachedToken }>();
  private readonly now: () => number;
  /** Token requests made, per `registry scope` key (the benchmark reads this). */
  readonly tokenRequests = new Map<string, number>();

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The Authorization header to send, from what the registry asked for before; undefined if nothing yet. */
  async authorization(registry: string, scopes: readonly string[]): Promise<string | undefined> {
    const scheme = this.schemes.get(registry);
    if (!scheme || scheme.kind === 'none') return undefined;
    if (scheme.kind === 'basic') {
      const credentials = await this.credentialsFor(registry);
      return credentials ? basicHeader(credentials) : undefined;
    }
    const token = await this.token(registry, scheme, scopes);
    return `Bearer ${token.value}`;
  }

  /** True once the registry has told us how it wants to be authenticated (or that it does not). */
  knows(registry: string): boolean {
    return this.schemes.has(registry);
  }

  /**
   * Learns from a response to an unauthenticated or authenticated request: its challenge, if any.
   * Returns true when sending again with new authorization can succeed.
   */
  async challenged(
    registry: string,
    header: string | undefined,
    scopes: readonly string[],
    sent: string | undefined,
  ): Promise<boolean> {
    const challenge = header ? parseChallenges(header)[0] : undefined;
    if (challenge?.scheme === 'basic') {
      this.schemes.set(registry, { kind: 'basic' });
      return !sent?.startsWith('Basic ') && (await this.credentialsFor(registry)) !== undefined;
    }
    if (challenge?.scheme === 'bearer' && challenge.params.realm) {
      this.schemes.set(registry, {
        kind: 'bearer',
        realm: challenge.params.realm,
        ...(challenge.params.service !== undefined && { service: challenge.params.service }),
      });
      // Only drop the token we sent: a concurrent request may already have fetched a fresh one.
      const key = tokenKey(registry, scopes);
      const cached = this.tokens.get(key);
      if (sent && cached?.settled && sent === `Bearer ${cached.settled.value}`) this.tokens.delete(key);
      return true;
    }
    if (!challenge) this.schemes.set(registry, { kind: 'none' });
    return false;
  }

  /** The token realm as a URL, refused (AUTH_REALM_REFUSED) where credentials must not go. */
  private realmUrl(registry: string, realm: string, scopes: readonly string[]): URL {
    const base = new URL((this.options.baseUrl ?? registryBaseUrl)(registry));
    let url: URL | undefined;
    try {
      url = new URL(realm, base);
    } catch {
      url = undefined;
    }
    if (url && realmAllowed(base, url, this.options.plainHttpHosts ?? new Set())) return url;
    const shown = url ? `${url.protocol}//${url.host}${url.pathname}` : 'a realm that is not a URL';
    throw new RegistryError({
      operation: 'get token',
      registry,
      code: 'AUTH_REALM_REFUSED',
      detail: `the registry (${base.protocol}//${base.host}) names token realm ${JSON.stringify(shown)}; credentials go over HTTPS only (plain HTTP on loopback), so none were sent (scope ${scopes.join(' ') || 'none'})`,
    });
  }

  private async credentialsFor(registry: string): Promise<RegistryCredential | undefined> {
    return this.options.credentials ? await this.options.credentials(registry) : undefined;
  }

  private async token(
    registry: string,
    scheme: Extract<Scheme, { kind: 'bearer' }>,
    scopes: readonly string[],
  ): Promise<CachedToken> {
    const key = tokenKey(registry, scopes);
    const cached = this.tokens.get(key);
    if (cached && (!cached.settled || cached.settled.expiresAt > this.now())) return cached.promise;
    const entry: { promise: Promise<CachedToken>; settled?: CachedToken } = {
      promise: this.fetchToken(registry, scheme, scopes),
    };
    this.tokens.set(key, entry);
    try {
      entry.settled = await entry.promise;
      return entry.settled;
    } catch (error) {
      if (this.tokens.get(key) === entry) this.tokens.delete(key);
      throw error;
    }
  }

  private async fetchToken(
    registry: string,
    scheme: Extract<Scheme, { kind: 'bearer' }>,
    scopes: readonly string[],
  ): Promise<CachedToken> {
    const key = tokenKey(registry, scopes);
    this.tokenRequests.set(key, (this.tokenRequests.get(key) ?? 0) + 1);
    const url = this.realmUrl(registry, scheme.realm, scopes);
    if (scheme.service) url.searchParams.set('service', scheme.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const credentials = await this.credentialsFor(registry);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credentials) headers.authorization = basicHeader(credentials);
    const fail = (code: string, detail: string, status?: number) =>
      new RegistryError({
        operation: 'get token',
        registry,
        code,
        detail: `${detail} (token service ${url.host}, scope ${scopes.join(' ') || 'none'})`,
        ...(status !== undefined && { status }),
      });

    const startedAt = this.now();
    const response = await this.options.http.requestBytes(
      { method: 'GET', url: url.href, headers },
      MAX_TOKEN_BYTES,
    );
    if (response.status === 401 || response.status === 403) {
      throw fail(
        response.status === 401 ? 'UNAUTHORIZED' : 'DENIED',
        'the token service refused the credentials',
        response.status,
      );
    }
    if (response.status !== 200) throw fail('UNEXPECTED', 'the token service failed', response.status);
    let body: TokenResponse;
    try {
      body = JSON.parse(response.bytes.toString('utf8')) as TokenResponse;
    } catch {
      throw fail('UNEXPECTED', 'the token service answered with something that is not JSON');
    }
    const value = body.token ?? body.access_token;
    if (typeof value !== 'string' || value === '')
      throw fail('UNEXPECTED', 'the token service sent no token');
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    // Refresh a little early so a token never expires between our check and the registry's.
    const margin = Math.min(10, seconds / 10) * 1000;
    return { value, expiresAt: startedAt + seconds * 1000 - margin };
  }
}

/**
 * Where a realm may be: anywhere over HTTPS (Docker Hub's is auth.docker.io); over plain HTTP only
 * when the registry itself is plain-HTTP loopback and so is the realm, or on the host of a registry
 * configured as `http://host`. Anything else would hand the credentials to whoever is on the wire.
 */
export function realmAllowed(registryBase: URL, realm: URL, plainHttpHosts: ReadonlySet<string>): boolean {
  if (realm.username !== '' || realm.password !== '') return false;
  if (realm.protocol === 'https:') return true;
  if (realm.protocol !== 'http:' || registryBase.protocol !== 'http:') return false;
  if (isLoopbackHost(registryBase.host)) return isLoopbackHost(realm.host);
  return plainHttpHosts.has(registryBase.host) && realm.hostname === registryBase.hostname;
}

function tokenKey(registry: string, scopes: readonly string[]): string {
  return `${registry} ${[...scopes].sort().join(' ')}`;
}

function basicHeader(credentials: RegistryCredential): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** The scope that reading (pull) or writing (pull,push) a repository needs. */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${repository}:${actions}`;
}
