// The ImageStore of an OCI image layout directory (`oci-layout:/path`): blobs/<alg>/<hex>, tags as
// `org.opencontainers.image.ref.name` annotations in index.json. Every write lands whole or not at
// all: a temp file beside the target, then rename.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sha256Digest } from '../core/digest.js';
import { isDigest } from '../core/reference.js';
import { BlobVerifier } from './blob-verifier.js';
import { describeUntrusted, digestLike, requireDigest } from './digest-check.js';
import { RegistryError } from './errors.js';
import type { ImageStore, ManifestInfo, StoredManifest, StoreReference } from './image-store.js';
import type { AnyManifest, Descriptor } from './manifest.js';
import { isIndex, MAX_MANIFEST_BYTES } from './manifest.js';
import { parseManifest } from './manifest-check.js';
import { OCI_INDEX, OCI_MANIFEST } from './media-types.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const LAYOUT_VERSION = '1.0.0';

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export class OciLayoutStore implements ImageStore {
  readonly location: string;
  /** index.json updates of this process, one after another (rename makes each one atomic on disk). */
  private indexUpdates: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {
    this.location = `oci-layout:${dir}`;
  }

  async headManifest(ref: StoreReference): Promise<ManifestInfo | undefined> {
    if (ref.digest === undefined) {
      const entry = (await this.readIndex()).manifests.find((m) => m.annotations?.[REF_NAME] === ref.tag);
      if (entry && !isDigest(entry.digest)) {
        throw this.error(
          'HEAD manifest',
          'DIGEST_INVALID',
          `index.json names ${describeUntrusted(entry.digest)}`,
          ref.tag,
        );
      }
      return entry && { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
    }
    const bytes = await this.readBlobFile(ref.digest, 'HEAD manifest', MAX_MANIFEST_BYTES).catch((error) => {
      if (error instanceof RegistryError && error.code === 'MANIFEST_UNKNOWN') return undefined;
      throw error;
    });
    if (!bytes) return undefined;
    const manifest = this.parse(bytes, ref, 'HEAD manifest');
    return { mediaType: mediaTypeOf(manifest), digest: ref.digest, size: bytes.length };
  }

  async getManifest(ref: StoreReference): Promise<StoredManifest> {
    let digest = ref.digest;
    if (digest === undefined) {
      const entry = (await this.readIndex()).manifests.find((m) => m.annotations?.[REF_NAME] === ref.tag);
      if (!entry)
        throw this.error('GET manifest', 'MANIFEST_UNKNOWN', `no manifest tagged '${ref.tag}'`, ref.tag);
      digest = entry.digest;
    }
    const bytes = await this.readBlobFile(digest, 'GET manifest', MAX_MANIFEST_BYTES);
    const actual = digestLike(bytes, digest);
    if (actual !== digest) {
      throw this.error('GET manifest', 'DIGEST_MISMATCH', `manifest bytes hash to ${actual}`, digest);
    }
    const manifest = this.parse(bytes, ref, 'GET manifest');
    return { mediaType: mediaTypeOf(manifest), digest, size: bytes.length, bytes, manifest };
  }

  async putManifest(ref: StoreReference, bytes: Buffer, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    if (ref.digest !== undefined && ref.digest !== digest) {
      throw this.error('PUT manifest', 'DIGEST_INVALID', `manifest bytes hash to ${digest}`, ref.digest);
    }
    await this.ensureLayout();
    const path = this.blobPath(digest, 'PUT manifest');
    if (!(await exists(path))) await writeAtomically(path, bytes);
    if (ref.tag !== undefined) {
      const tag = ref.tag;
      await this.updateIndex((index) => {
        index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
        index.manifests.push({ mediaType, digest, size: bytes.length, annotations: { [REF_NAME]: tag } });
      });
    }
    return digest;
  }

  async headBlob(_repository: string, digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest, 'HEAD blob'))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async getBlob(_repository: string, blob: Descriptor): Promise<Readable> {
    try {
      const handle = await open(this.blobPath(blob.digest, 'GET blob'), 'r');
      return handle.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw this.error('GET blob', 'BLOB_UNKNOWN', 'blob not in layout', blob.digest);
      }
      throw error;
    }
  }

  async putBlob(
    _repository: string,
    blob: Descriptor,
    opening: Readable | Promise<Readable>,
    onBytes?: (bytes: number) => void,
  ): Promise<void> {
    const content = await opening;
    const path = this.blobPath(blob.digest, 'PUT blob');
    await this.ensureLayout();
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await pipeline(
        content,
        new BlobVerifier(blob, { operation: 'PUT blob', location: this.location }, onBytes),
        createWriteStream(temp),
      );
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  async listTags(): Promise<string[]> {
    const index = await this.readIndex();
    return index.manifests.flatMap((m) => (m.annotations?.[REF_NAME] ? [m.annotations[REF_NAME]] : []));
  }

  private async readIndex(): Promise<LayoutIndex> {
    try {
      const index = JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as LayoutIndex;
      return { ...index, manifests: [...(index.manifests ?? [])] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
      }
      if (error instanceof SyntaxError)
        throw this.error('read index.json', 'MANIFEST_INVALID', 'index.json is not JSON');
      throw error;
    }
  }

  private updateIndex(change: (index: LayoutIndex) => void): Promise<void> {
    const next = this.indexUpdates.then(async () => {
      const index = await this.readIndex();
      change(index);
      await writeAtomically(join(this.dir, 'index.json'), Buffer.from(JSON.stringify(index)));
    });
    this.indexUpdates = next.catch(() => undefined);
    return next;
  }

  private async ensureLayout(): Promise<void> {
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    const marker = join(this.dir, 'oci-layout');
    if (!(await exists(marker))) {
      await writeAtomically(marker, Buffer.from(JSON.stringify({ imageLayoutVersion: LAYOUT_VERSION })));
    }
  }

  private blobPath(digest: string, operation: string): string {
    // Digests become file names: only the canonical forms, so none can climb out of blobs/.
    requireDigest(digest, 'blob digest', { operation, registry: this.location });
    const colon = digest.indexOf(':');
    return join(this.dir, 'blobs', digest.slice(0, colon), digest.slice(colon + 1));
  }

  private async readBlobFile(digest: string, operation: string, maxBytes: number): Promise<Buffer> {
    const path = this.blobPath(digest, operation);
    try {
      const size = (await stat(path)).size;
      if (size > maxBytes)
        throw this.error(operation, 'MANIFEST_INVALID', `${size} bytes is too large`, digest);
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw this.error(
          operation,
          operation.includes('manifest') ? 'MANIFEST_UNKNOWN' : 'BLOB_UNKNOWN',
          'not in layout',
          digest,
        );
      }
      throw error;
    }
  }

  private parse(bytes: Buffer, ref: StoreReference, operation: string): AnyManifest {
    // A layout has no repository for RegistryError to print the reference after: name it with the location.
    return parseManifest(bytes, { operation, registry: `${this.location} (${ref.digest ?? ref.tag})` });
  }

  private error(operation: string, code: string, detail: string, reference?: string): RegistryError {
    return new RegistryError({
      operation,
      registry: this.location,
      code,
      // A layout has no repository for RegistryError to print the reference after: say it here.
      detail: reference !== undefined ? `${detail} (${reference})` : detail,
    });
  }
}

/** OCI makes the mediaType field optional; then the shape says what the manifest is. */
function mediaTypeOf(manifest: AnyManifest): string {
  return manifest.mediaType ?? (isIndex(manifest) ? OCI_INDEX : OCI_MANIFEST);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
