// What an image has installed, per platform, as its final filesystem says: the OS release and the
// package list of its package manager, or why that list is unknown.
import { compareApkVersions } from './apk-version.js';
import { compareDpkgVersions } from './dpkg-version.js';
import { compareRpmVersions } from './rpm-version.js';

export type PackageManager = 'apk' | 'dpkg' | 'rpm';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture?: string;
}

/** The fields of os-release(5) a team reads: `alpine` / `3.20.3` / `Alpine Linux v3.20`. */
export interface OsRelease {
  readonly id?: string;
  readonly versionId?: string;
  readonly prettyName?: string;
}

export type PackageInventory =
  | {
      readonly known: true;
      readonly manager: PackageManager;
      readonly packages: readonly InstalledPackage[];
    }
  | { readonly known: false; readonly reason: string };

export interface LayerRef {
  readonly digest: string;
  /** Compressed size, as the manifest says. */
  readonly size: number;
}

/** One platform's image: its manifest digest, its layers, and what they add up to. */
export interface PlatformInventory {
  /** `linux/amd64`, `linux/arm64/v8`. */
  readonly platform: string;
  readonly digest: string;
  readonly layers: readonly LayerRef[];
  readonly os?: OsRelease;
  readonly inventory: PackageInventory;
}

/** Every platform of an image (one for a single manifest, each image of an index). */
export interface ImageInventory {
  readonly digest: string;
  readonly platforms: readonly PlatformInventory[];
}

/** Orders two versions by the rules of the distribution that wrote them. */
export function compareVersions(manager: PackageManager, a: string, b: string): number {
  if (manager === 'apk') return compareApkVersions(a, b);
  if (manager === 'rpm') return compareRpmVersions(a, b);
  return compareDpkgVersions(a, b);
}
