// The ImageStore of one OCI distribution registry (ACR, Docker Hub, CNCF Distribution, …), built on
// the distribution client's authorized send so retries, auth and errors stay in one place.
import type { Readable } from 'node:stream';
import { repositoryScope } from './auth.js';
import {
  cancelUpload,
  putChunked,
  putMonolithic,
  startUpload,
  type UploadSession,
  type UploadTarget,
  uploadCall,
  uploadLocation,
} from './blob-upload.js';
import { verified } from './blob-verifier.js';
import { requireDigest } from './digest-check.js';
import type { DistributionClient, RegistryCall } from './distribution-client.js';
import { RegistryError } from './errors.js';
import { firstHeader } from './headers.js';
import { discard } from './http.js';
import type {
  BlobMounter,
  CountedHead,
  ImageStore,
  ManifestInfo,
  PullCounter,
  StoredManifest,
  StoreReference,
} from './image-store.js';
import { referenceSelector } from './image-store.js';
import type { Descriptor } from './manifest.js';

export interface RegistryStoreOptions {
  readonly client: DistributionClient;
  /** Host and optional port, e.g. `127.0.0.1:5000`, `myregistry.azurecr.io`. */
  readonly registry: string;
  /** Upload every blob as PATCH chunks of this size instead of one PUT. */
  readonly uploadChunkBytes?: number;
}

/** Chunk size used once a registry refuses a whole blob in one request (HTTP 413). */
const FALLBACK_CHUNK_BYTES = 8 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/**
 * A blob at least this large is read off a connection of its own (bulk-get.ts); smaller ones share the
 * pooled connections, where a new connection (a TLS handshake) would cost more than the bytes.
 */
const BULK_MIN_BYTES = 1024 * 1024;

export class RegistryStore implements ImageStore, BlobMounter, PullCounter {
  readonly location: string;
  readonly client: DistributionClient;
  readonly registry: string;
  private chunkBytes: number | undefined;

  constructor(options: RegistryStoreOptions) {
    this.client = options.client;
    this.registry = options.registry;
    this.chunkBytes = options.uploadChunkBytes;
    this.location = `registry ${options.registry}`;
  }

  async headManifest(ref: StoreReference): Promise<ManifestInfo | undefined> {
    return (await this.headManifestCounted(ref)).manifest;
  }

  async headManifestCounted(ref: StoreReference): Promise<CountedHead> {
    const head = await this.client.headManifest({ ...ref, registry: this.registry });
    if (!head) return { manifest: undefined };
    const manifest = { mediaType: head.mediaType, digest: head.digest, size: head.size };
    return { manifest, ...(head.rateLimit && { rateLimit: head.rateLimit }) };
  }

  async getManifest(ref: StoreReference): Promise<StoredManifest> {
    const fetched = await this.client.getManifest({ ...ref, registry: this.registry });
    return {
      mediaType: fetched.mediaType,
      digest: fetched.digest,
      size: fetched.size,
      bytes: fetched.bytes,
      manifest: fetched.manifest,
    };
  }

  async putManifest(ref: StoreReference, bytes: Buffer, mediaType: string): Promise<string> {
    const selector = referenceSelector(ref);
    const call = this.call('PUT manifest', ref.repository, selector, 'pull,push', 'NAME_UNKNOWN');
    const response = await this.client.send(call, {
      method: 'PUT',
      url: `${this.base()}/v2/${ref.repository}/manifests/${selector}`,
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    if (response.status !== 201) throw await this.client.failure(call, response);
    await discard(response);
    const digest = firstHeader(response.headers, 'docker-content-digest');
    return digest === undefined ? '' : requireDigest(digest, 'Docker-Content-Digest header', call);
  }

  async headBlob(repository: string, digest: string): Promise<number | undefined> {
    const call = this.call('HEAD blob', repository, digest, 'pull', 'BLOB_UNKNOWN');
    const response = await this.client.send(call, {
      method: 'HEAD',
      url: `${this.base()}/v2/${repository}/blobs/${digest}`,
    });
    await discard(response);
    if (response.status === 404) return undefined;
    if (response.status === 200) return Number(firstHeader(response.headers, 'content-length') ?? -1);
    // Registries that keep blobs in object storage answer HEAD with a redirect to it.
    if (REDIRECTS.has(response.status)) return -1;
    throw await this.client.failure(call, response);
  }

  async getBlob(repository: string, blob: Descriptor): Promise<Readable> {
    const call = this.call('GET blob', repository, blob.digest, 'pull', 'BLOB_UNKNOWN');
    const url = `${this.base()}/v2/${repository}/blobs/${blob.digest}`;
    const bulk = blob.size >= BULK_MIN_BYTES;
    let response = await this.client.send(call, { method: 'GET', url, bulk });
    if (REDIRECTS.has(response.status)) {
      const location = firstHeader(response.headers, 'location');
      await discard(response);
      if (!location)
        throw new RegistryError({ ...call, code: 'UNEXPECTED', detail: 'redirect without Location' });
      // Object storage gets no registry credentials: the redirect URL carries its own signature.
      response = await this.client.http.request({ method: 'GET', url: new URL(location, url).href, bulk });
    }
    if (response.status !== 200) throw await this.client.failure(call, response);
    const { bytes, windowMs } = this.client.http.minBodyRate;
    return this.client.http.watchRate(
      response.body,
      url,
      () =>
        new RegistryError({
          ...call,
          code: 'TOO_SLOW',
          detail: `fewer than ${bytes} bytes of the blob arrived in ${windowMs} ms`,
        }),
    );
  }

  async putBlob(
    repository: string,
    blob: Descriptor,
    opening: Readable | Promise<Readable>,
    onBytes?: (bytes: number) => void,
  ): Promise<void> {
    const target: UploadTarget = { client: this.client, registry: this.registry, repository };
    const site = { operation: 'upload blob', location: this.location, repository };
    // The upload session opens while the source answers: a registry's POST can take as long as the GET.
    // The source is checked from the moment it opens, so an error it meets meanwhile has a listener.
    const checking = Promise.resolve(opening).then((content) => ({
      content,
      checked: verified(content, blob, site, onBytes),
    }));
    const [session, source] = await Promise.allSettled([startUpload(target, blob), checking]);
    if (session.status === 'rejected' || source.status === 'rejected') {
      if (source.status === 'fulfilled') source.value.content.destroy();
      if (session.status === 'fulfilled') await cancelUpload(target, session.value.location);
      throw source.status === 'rejected' ? source.reason : (session as PromiseRejectedResult).reason;
    }
    await this.upload(target, session.value, blob, source.value.checked);
  }

  /** Sends the checked bytes into an open session, whole or in chunks; a failed upload is cancelled. */
  private async upload(
    target: UploadTarget,
    session: UploadSession,
    blob: Descriptor,
    checked: Readable,
  ): Promise<void> {
    try {
      if (this.chunkBytes !== undefined) {
        await putChunked(target, session, blob, checked, this.chunkBytes);
      } else {
        await putMonolithic(target, session.location, blob, checked);
      }
    } catch (error) {
      checked.destroy();
      await cancelUpload(target, session.location);
      if (error instanceof RegistryError && error.status === 413 && this.chunkBytes === undefined) {
        // The registry limits request bodies: later uploads go in chunks, and this one may be retried.
        this.chunkBytes = FALLBACK_CHUNK_BYTES;
        throw new RegistryError(
          {
            ...uploadCall(target, 'upload blob', blob.digest),
            code: 'SIZE_INVALID',
            status: 413,
            detail: 'the registry refused the blob in one request; retry uploads it in chunks',
          },
          { cause: error },
        );
      }
      throw error;
    }
  }

  async mountBlob(repository: string, blob: Descriptor, fromRepository: string): Promise<boolean> {
    const call: RegistryCall = {
      ...this.call('mount blob', repository, blob.digest, 'pull,push', 'BLOB_UNKNOWN'),
      scopes: [repositoryScope(repository, 'pull,push'), repositoryScope(fromRepository, 'pull')],
    };
    const query = new URLSearchParams({ mount: blob.digest, from: fromRepository });
    const response = await this.client.send(call, {
      method: 'POST',
      url: `${this.base()}/v2/${repository}/blobs/uploads/?${query}`,
      headers: { 'content-length': '0' },
    });
    if (response.status === 201 || response.status === 202) await discard(response);
    if (response.status === 201) return true;
    if (response.status === 401 || response.status === 403) {
      // No pull access to the other repository: copying the bytes may still be allowed.
      await discard(response);
      return false;
    }
    if (response.status === 202) {
      // The registry opened a plain upload instead: drop it, the caller copies the bytes.
      const target: UploadTarget = { client: this.client, registry: this.registry, repository };
      await cancelUpload(target, uploadLocation(target, response, call));
      return false;
    }
    throw await this.client.failure(call, response);
  }

  async listTags(repository: string): Promise<string[]> {
    try {
      return await this.client.listTags(this.registry, repository);
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'NAME_UNKNOWN') return [];
      throw error;
    }
  }

  private base(): string {
    return this.client.baseUrl(this.registry);
  }

  private call(
    operation: string,
    repository: string,
    reference: string,
    actions: 'pull' | 'pull,push',
    notFound: string,
  ): RegistryCall {
    return {
      operation,
      registry: this.registry,
      repository,
      reference,
      notFound,
      scopes: [repositoryScope(repository, actions)],
    };
  }
}
