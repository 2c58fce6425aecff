// What one layer says about the few files a package inventory needs, and the port that remembers it by
// layer digest: a layer's content never changes, so two images sharing a layer read it once.
import type { InstalledPackage, OsRelease, PackageInventory } from './installed-packages.js';
import type { Platform } from './platform.js';

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

/**
 * Bumped whenever a layer or an image is read differently (a new database, a parser fixed): findings
 * kept by an older reader are then not taken, since they say what that reader could not see.
 */
export const FINDINGS_VERSION = 2;

/** What the layers of one image add up to: its OS release and package inventory. */
export interface ImageFindings {
  /** The platform its config names, when the config was read (an index entry names its own). */
  readonly platform?: Platform;
  readonly os?: OsRelease;
  readonly inventory: PackageInventory;
}

/** Optional: an image's findings by its manifest digest, so a warm diff reads one entry an image. */
export interface ImageFindingsCache {
  /** What the image with this manifest digest was found to hold, or undefined when never worked out. */
  getImage(manifestDigest: string): Promise<ImageFindings | undefined>;
  /** Remembers an image's findings; a second put of the same digest may be ignored. */
  putImage(manifestDigest: string, findings: ImageFindings): Promise<void>;
}

export function remembersImages(cache: LayerFindingsCache): cache is LayerFindingsCache & ImageFindingsCache {
  const images = cache as Partial<ImageFindingsCache>;
  return typeof images.getImage === 'function' && typeof images.putImage === 'function';
}
