// What one layer says about the few files a package inventory needs, and the port that remembers it by
// layer digest: a layer's content never changes, so two images sharing a layer read it once.
import type { InstalledPackage, OsRelease } from './installed-packages.js';

/** A file the layer holds, already parsed (raw files are not kept). */
export type FoundFile =
  | { readonly kind: 'os-release'; readonly release: OsRelease }
  | { readonly kind: 'dpkg-status'; readonly packages: readonly InstalledPackage[] }
  | { readonly kind: 'apk-installed'; readonly packages: readonly InstalledPackage[] }
  | { readonly kind: 'rpm-packages'; readonly packages: readonly InstalledPackage[] }
  /** Present but not read: a Berkeley DB rpm database, a file over the size bound, a link we cannot follow. */
  | { readonly kind: 'unreadable'; readonly reason: string };

export interface LayerFindings {
  /** Path inside the image (no leading slash) → what the layer holds there. */
  readonly files: Readonly<Record<string, FoundFile>>;
  /** Paths this layer removes from the layers below (whiteouts, or replaced by a non-directory). */
  readonly deleted: readonly string[];
  /** Directories this layer makes opaque: nothing below it shows through. */
  readonly opaque: readonly string[];
  /** Why the layer itself could not be read (a foreign or non-tar layer); its files are then unknown. */
  readonly unreadable?: string;
}

export interface LayerFindingsCache {
  /** What was found in the layer with this digest, or undefined when it was never read. */
  get(layerDigest: string): Promise<LayerFindings | undefined>;
  /** Remembers a layer's findings; a second put of the same digest may be ignored. */
  put(layerDigest: string, findings: LayerFindings): Promise<void>;
}
