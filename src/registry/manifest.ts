// The shapes of manifests and indexes we read (OCI and Docker v2 share them).
import type { Platform } from '../core/platform.js';

/** The largest manifest or index we read, from a registry or a layout (registries refuse over 4 MiB too). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform & { readonly 'os.version'?: string; readonly 'os.features'?: string[] };
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly urls?: readonly string[];
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export type AnyManifest = ImageManifest | ImageIndex;

export function isIndex(manifest: AnyManifest): manifest is ImageIndex {
  return Array.isArray((manifest as ImageIndex).manifests);
}
