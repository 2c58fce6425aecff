// From the text a user writes to a store and a place in it: `oci-layout:/dir[:tag][@digest]` is an
// OCI image layout, anything else an image reference in a registry.
import { resolve } from 'node:path';
import { formatReference, isDigest, parseReference } from '../core/reference.js';
import { DistributionClient } from './distribution-client.js';
import type { ImageStore, StoreReference } from './image-store.js';
import { OciLayoutStore } from './oci-layout-store.js';
import { RegistryStore, type RegistryStoreOptions } from './registry-store.js';

export const LAYOUT_SCHEME = 'oci-layout:';

export interface OpenedStore {
  readonly store: ImageStore;
  readonly ref: StoreReference;
  /** The reference as people read it, for messages. */
  readonly display: string;
}

export interface OpenStoreOptions {
  /** Shared by every registry store opened with these options (one token cache, one connection pool). */
  readonly client?: DistributionClient;
  /** The tag when the text names none (default `latest`). */
  readonly defaultTag?: string;
  readonly uploadChunkBytes?: RegistryStoreOptions['uploadChunkBytes'];
}

export function isLayoutReference(text: string): boolean {
  return text.startsWith(LAYOUT_SCHEME);
}

/** `oci-layout:./mirror:20-alpine` → the layout at ./mirror (made absolute) and tag `20-alpine`. */
export function parseLayoutReference(
  text: string,
  defaultTag = 'latest',
): { dir: string; ref: StoreReference } {
  let rest = text.slice(LAYOUT_SCHEME.length);
  let digest: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0 && isDigest(rest.slice(at + 1))) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest === '') throw new Error(`'${text}' names no directory: write oci-layout:/path/to/dir[:tag]`);
  if (tag === undefined && digest === undefined) tag = defaultTag;
  return {
    dir: resolve(rest),
    ref: { repository: '', ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) },
  };
}

export function openStore(text: string, options: OpenStoreOptions = {}): OpenedStore {
  if (isLayoutReference(text)) {
    const { dir, ref } = parseLayoutReference(text, options.defaultTag);
    const selector = `${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
    return { store: new OciLayoutStore(dir), ref, display: `${LAYOUT_SCHEME}${dir}${selector}` };
  }
  const parsed = parseReference(text, { defaultTag: options.defaultTag ?? 'latest' });
  const store = new RegistryStore({
    client: options.client ?? new DistributionClient(),
    registry: parsed.registry,
    ...(options.uploadChunkBytes !== undefined && { uploadChunkBytes: options.uploadChunkBytes }),
  });
  const { registry: _registry, ...ref } = parsed;
  return { store, ref, display: formatReference(parsed) };
}
