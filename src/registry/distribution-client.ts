// A client for the OCI distribution API, one instance for every registry host it talks to.
import { type Logger, silentLogger } from '../core/logger.js';
import { formatPlatform, type Platform, platformMatches } from '../core/platform.js';
import { type ImageReference, manifestSelector } from '../core/reference.js';
import { Authenticator, type CredentialSource, repositoryScope } from './auth.js';
import { digestLike, requireDigest } from './digest-check.js';
import {
  codeForStatus,
  parseErrorBody,
  type RegistryCall,
  RegistryError,
  type RegistryErrorCode,
} from './errors.js';

export type { RegistryCall } from './errors.js';

import { firstHeader } from './headers.js';
import { discard, HttpClient, type HttpRequest, type HttpResponse, HttpTransportError } from './http.js';
import { type AnyManifest, type Descriptor, isIndex, MAX_MANIFEST_BYTES } from './manifest.js';
import { parseManifest } from './manifest-check.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { parseRateLimit, parseRetryAfter, type RateLimit } from './rate-limit.js';
import { registryBaseUrl } from './registry-url.js';
import { listTagPages, MAX_TAG_PAGES } from './tag-pages.js';

/** Distribution's own limit on a manifest's size. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface ManifestHead {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  /** What the registry said about its pull limit, if it says anything. */
  readonly rateLimit?: RateLimit;
  /** True when the registry gave no digest on HEAD and we had to GET (which counts as a pull). */
  readonly usedGet: boolean;
}

export interface FetchedManifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
  readonly manifest: AnyManifest;
  readonly rateLimit?: RateLimit;
}

export interface DistributionClientOptions {
  readonly http?: HttpClient;
  readonly credentials?: CredentialSource;
  readonly logger?: Logger;
  /** Registries to reach over plain HTTP although they are not on loopback (the config says `http://`). */
  readonly plainHttpHosts?: ReadonlySet<string>;
  /** Pages of a tag list followed at most (default 1,000). */
  readonly maxTagPages?: number;
  /** Hears every rate limit a registry reports on a manifest answer (the pull budget checks and imports share). */
  readonly onRateLimit?: (registry: string, rateLimit: RateLimit) => void;
}

export class DistributionClient {
  readonly http: HttpClient;
  readonly auth: Authenticator;
  private readonly logger: Logger;
  private readonly pings = new Map<string, Promise<void>>();
  private readonly plainHttpHosts: ReadonlySet<string>;
  private readonly maxTagPages: number;
  private readonly onRateLimit: ((registry: string, rateLimit: RateLimit) => void) | undefined;

  constructor(options: DistributionClientOptions = {}) {
    this.http = options.http ?? new HttpClient({ logger: options.logger ?? silentLogger });
    this.logger = options.logger ?? silentLogger;
    this.plainHttpHosts = options.plainHttpHosts ?? new Set();
    this.maxTagPages = options.maxTagPages ?? MAX_TAG_PAGES;
    this.onRateLimit = options.onRateLimit;
    this.auth = new Authenticator({
      http: this.http,
      baseUrl: (registry) => this.baseUrl(registry),
      plainHttpHosts: this.plainHttpHosts,
      ...(options.credentials !== undefined && { credentials: options.credentials }),
    });
  }

  /** Checks that the registry speaks the distribution API, and learns how it authenticates. */
  ping(registry: string): Promise<void> {
    let pending = this.pings.get(registry);
    if (!pending) {
      pending = this.probe(registry);
      this.pings.set(registry, pending);
      pending.catch(() => this.pings.delete(registry));
    }
    return pending;
  }

  /** Where a registry is reached: plain HTTP on loopback or when configured so, HTTPS otherwise. */
  baseUrl(registry: string): string {
    return registryBaseUrl(registry, this.plainHttpHosts);
  }

  /**
   * The digest a tag (or digest) points at, from a HEAD request, which Docker Hub does not count as
   * a pull; undefined when the registry has no such manifest (404). Falls back to GET only when the
   * registry answers HEAD without a digest.
   */
  async headManifest(ref: ImageReference): Promise<ManifestHead | undefined> {
    const call = this.manifestCall('HEAD manifest', ref);
    const response = await this.send(call, {
      method: 'HEAD',
      url: this.manifestUrl(ref),
      headers: { accept: MANIFEST_ACCEPT },
    });
    await discard(response);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await this.failure(call, response);
    const rateLimit = parseRateLimit(response.headers);
    if (rateLimit) this.onRateLimit?.(ref.registry, rateLimit);
    const digest = firstHeader(response.headers, 'docker-content-digest');
    if (!digest) {
      this.logger.debug('registry sent no digest on HEAD; falling back to GET', { registry: ref.registry });
      const fetched = await this.getManifest(ref).catch((error: unknown) => {
        // Deleted between the HEAD and the GET: there is none, as a 404 on HEAD would have said.
        if (error instanceof RegistryError && error.status === 404) return undefined;
        throw error;
      });
      if (!fetched) return undefined;
      return {
        mediaType: fetched.mediaType,
        digest: fetched.digest,
        size: fetched.size,
        usedGet: true,
        ...(fetched.rateLimit && { rateLimit: fetched.rateLimit }),
      };
    }
    return {
      mediaType: firstHeader(response.headers, 'content-type') ?? '',
      digest: requireDigest(digest, 'Docker-Content-Digest header', call),
      size: Number(firstHeader(response.headers, 'content-length') ?? 0),
      usedGet: false,
      ...(rateLimit && { rateLimit }),
    };
  }

  /** Fetches a manifest and proves its bytes match the digest asked for and the digest announced. */
  async getManifest(ref: ImageReference): Promise<FetchedManifest> {
    const call = this.manifestCall('GET manifest', ref);
    const response = await this.sendForBytes(
      call,
      { method: 'GET', url: this.manifestUrl(ref), headers: { accept: MANIFEST_ACCEPT } },
      MAX_MANIFEST_BYTES,
    );
    if (response.status !== 200) throw this.failureFromBytes(call, response, response.bytes);
    const announced = firstHeader(response.headers, 'docker-content-digest');
    if (announced !== undefined) requireDigest(announced, 'Docker-Content-Digest header', call);
    const expected = ref.digest ?? announced;
    const digest = digestLike(response.bytes, expected);
    if (expected !== undefined && expected !== digest) {
      throw new RegistryError({
        ...call,
        code: 'DIGEST_MISMATCH',
        detail: `manifest bytes hash to ${digest}, expected ${expected}`,
      });
    }
    const manifest = parseManifest(response.bytes, call);
    const mediaType = manifest.mediaType ?? firstHeader(response.headers, 'content-type') ?? '';
    const rateLimit = parseRateLimit(response.headers);
    if (rateLimit) this.onRateLimit?.(ref.registry, rateLimit);
    return {
      mediaType,
      digest,
      size: response.bytes.length,
      bytes: response.bytes,
      manifest,
      ...(rateLimit && { rateLimit }),
    };
  }

  /**
   * Every tag of a repository, following `Link: <…>; rel="next"` pages on the registry's own origin
   * only, each page once, at most `maxTagPages` of them. The tags are the registry's word: unchecked.
   */
  async listTags(registry: string, repository: string, pageSize = 1000): Promise<string[]> {
    return listTagPages(this, { registry, repository, pageSize, maxPages: this.maxTagPages });
  }

  /**
   * The manifest to use for one platform: the matching entry of an index, or the image itself
   * when the reference names a single-platform image.
   */
  async resolvePlatform(ref: ImageReference, platform: Platform): Promise<Descriptor> {
    const fetched = await this.getManifest(ref);
    if (!isIndex(fetched.manifest)) {
      return { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size };
    }
    const match = fetched.manifest.manifests.find((entry) => platformMatches(platform, entry.platform));
    if (!match) {
      const offered = fetched.manifest.manifests
        .map((entry) => (entry.platform ? formatPlatform(entry.platform) : 'unknown'))
        .join(', ');
      throw new RegistryError({
        ...this.manifestCall('resolve platform', ref),
        code: 'MANIFEST_UNKNOWN',
        detail: `no manifest for platform ${formatPlatform(platform)} (index offers ${offered || 'nothing'})`,
      });
    }
    return match;
  }

  private manifestCall(operation: string, ref: ImageReference): RegistryCall {
    return {
      operation,
      registry: ref.registry,
      repository: ref.repository,
      reference: manifestSelector(ref),
      notFound: 'MANIFEST_UNKNOWN',
      scopes: [repositoryScope(ref.repository, 'pull')],
    };
  }

  private manifestUrl(ref: ImageReference): string {
    return `${this.baseUrl(ref.registry)}/v2/${ref.repository}/manifests/${manifestSelector(ref)}`;
  }

  private async probe(registry: string): Promise<void> {
    const call: RegistryCall = { operation: 'ping', registry, notFound: 'UNSUPPORTED', scopes: [] };
    const response = await this.transport(call, () =>
      this.http.request({ method: 'GET', url: `${this.baseUrl(registry)}/v2/` }),
    );
    await discard(response);
    if (response.status === 200) {
      await this.auth.challenged(registry, undefined, [], undefined);
      return;
    }
    if (response.status === 401) {
      await this.auth.challenged(registry, firstHeader(response.headers, 'www-authenticate'), [], undefined);
      return;
    }
    throw await this.failure(call, response);
  }

  /**
   * Sends a request with the authorization the registry asked for; on a 401 learns the challenge
   * and tries once more. Every other module that talks to a registry goes through here.
   */
  async send(call: RegistryCall, req: HttpRequest): Promise<HttpResponse> {
    return this.authorized(call, req, (request) => this.http.request(request));
  }

  /** As send, reading the whole (small) body, with a reset mid-body retried. */
  async sendForBytes(
    call: RegistryCall,
    req: HttpRequest,
    maxBytes: number,
  ): Promise<HttpResponse & { bytes: Buffer }> {
    return this.authorized(call, req, (request) => this.http.requestBytes(request, maxBytes));
  }

  private async authorized<R extends HttpResponse>(
    call: RegistryCall,
    req: HttpRequest,
    perform: (req: HttpRequest) => Promise<R>,
  ): Promise<R> {
    // Credentials go to the registry's own origin only: an upload Location elsewhere gets none.
    if (new URL(req.url).origin !== new URL(this.baseUrl(call.registry)).origin) {
      return this.transport(call, () => perform(req));
    }
    if (!this.auth.knows(call.registry)) await this.ping(call.registry);
    for (let attempt = 1; ; attempt++) {
      const authorization = await this.auth.authorization(call.registry, call.scopes);
      const request = authorization ? { ...req, headers: { ...req.headers, authorization } } : req;
      const response = await this.transport(call, () => perform(request));
      if (response.status !== 401 || attempt > 1) return response;
      const retry = await this.auth.challenged(
        call.registry,
        firstHeader(response.headers, 'www-authenticate'),
        call.scopes,
        authorization,
      );
      if (!retry) return response;
      await discard(response);
    }
  }

  private async transport<R>(call: RegistryCall, perform: () => Promise<R>): Promise<R> {
    try {
      return await perform();
    } catch (error) {
      if (error instanceof HttpTransportError && SLOW_BODY.has(error.errorCode)) {
        throw new RegistryError(
          {
            ...call,
            code: 'TOO_SLOW',
            detail: `the response body from ${error.host} did not arrive within ${this.http.bodyDeadlineMs} ms, ${error.attempts} attempt(s)`,
          },
          { cause: error },
        );
      }
      if (error instanceof HttpTransportError) {
        throw new RegistryError(
          {
            ...call,
            code: 'UNREACHABLE',
            detail: `registry ${error.host} unreachable after ${error.attempts} attempt(s) (${error.errorCode})`,
          },
          { cause: error },
        );
      }
      if (error instanceof RegistryError) throw error;
      throw new RegistryError(
        { ...call, code: 'UNEXPECTED', detail: (error as Error).message },
        { cause: error },
      );
    }
  }

  /** The RegistryError an unexpected response means, with the registry's own code when it sent one. */
  async failure(call: RegistryCall, response: HttpResponse): Promise<RegistryError> {
    let bytes: Buffer = Buffer.alloc(0);
    try {
      bytes = await this.http.readBody(response, MAX_ERROR_BODY_BYTES, this.baseUrl(call.registry));
    } catch {
      // An unreadable, slow or oversized error body still leaves the status to report.
    }
    return this.failureFromBytes(call, response, bytes);
  }

  failureFromBytes(call: RegistryCall, response: HttpResponse, bytes: Buffer): RegistryError {
    const parsed = parseErrorBody(bytes.toString('utf8'));
    const retryAfter = parseRetryAfter(response.headers);
    const code = parsed?.code ?? codeForStatus(response.status, call.notFound);
    const target = call.repository ? `${call.registry}/${call.repository}` : call.registry;
    return new RegistryError({
      operation: call.operation,
      registry: call.registry,
      ...(call.repository !== undefined && { repository: call.repository }),
      ...(call.reference !== undefined && { reference: call.reference }),
      code,
      status: response.status,
      detail: parsed?.message || defaultDetail(code, target),
      ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter }),
    });
  }
}

function defaultDetail(code: RegistryErrorCode, target: string): string {
  switch (code) {
    case 'UNAUTHORIZED':
      return `authentication required for ${target}`;
    case 'DENIED':
      return `access to ${target} denied`;
    case 'MANIFEST_UNKNOWN':
      return 'manifest unknown';
    case 'NAME_UNKNOWN':
      return 'repository name not known to registry';
    case 'TOOMANYREQUESTS':
      return 'too many requests';
    case 'UNAVAILABLE':
      return 'registry unavailable';
    default:
      return 'unexpected response';
  }
}

const SLOW_BODY = new Set(['BODY_DEADLINE', 'BODY_TOO_SLOW']);

export { nextLink } from './tag-pages.js';
