// What changed between two digests of an image, platform by platform: OS release, packages, compressed
// size and layers; and the short form that travels in events as `data.changes`.
import type { ImageInventory, OsRelease, PlatformInventory } from './installed-packages.js';
import { countChanges, diffPackages, type PackageChange, type PackageCounts } from './package-diff.js';

export interface PlatformChanges {
  readonly platform: string;
  /** The platform's image digest before and after; one is absent when the platform came or went. */
  readonly fromDigest?: string;
  readonly toDigest?: string;
  readonly os: { readonly from?: OsRelease; readonly to?: OsRelease; readonly changed: boolean };
  /** Absent when either side's package list is unknown (then `packagesUnknown` says why). */
  readonly packages?: readonly PackageChange[];
  readonly packagesUnknown?: string;
  readonly counts: PackageCounts;
  readonly compressedSize: { readonly from: number; readonly to: number; readonly change: number };
  /** Layers in both, only in the new image, only in the old one. */
  readonly layers: { readonly shared: number; readonly added: number; readonly removed: number };
}

export interface ImageChanges {
  readonly from: string;
  readonly to: string;
  readonly platforms: readonly PlatformChanges[];
}

const NO_COUNTS: PackageCounts = { added: 0, removed: 0, upgraded: 0, downgraded: 0 };

export function imageChanges(from: ImageInventory, to: ImageInventory): ImageChanges {
  const names = [...new Set([...from.platforms, ...to.platforms].map((p) => p.platform))].sort();
  return {
    from: from.digest,
    to: to.digest,
    platforms: names.map((name) =>
      platformChanges(
        name,
        from.platforms.find((p) => p.platform === name),
        to.platforms.find((p) => p.platform === name),
      ),
    ),
  };
}

function platformChanges(
  platform: string,
  before: PlatformInventory | undefined,
  after: PlatformInventory | undefined,
): PlatformChanges {
  const oldLayers = new Set(before?.layers.map((l) => l.digest));
  const newLayers = new Set(after?.layers.map((l) => l.digest));
  const shared = [...newLayers].filter((d) => oldLayers.has(d)).length;
  const fromSize = sizeOf(before);
  const toSize = sizeOf(after);
  const packages = packageChanges(before, after);
  return {
    platform,
    ...(before && { fromDigest: before.digest }),
    ...(after && { toDigest: after.digest }),
    os: {
      ...(before?.os && { from: before.os }),
      ...(after?.os && { to: after.os }),
      changed: !sameRelease(before?.os, after?.os),
    },
    ...('changes' in packages ? { packages: packages.changes } : { packagesUnknown: packages.unknown }),
    counts: 'changes' in packages ? countChanges(packages.changes) : NO_COUNTS,
    compressedSize: { from: fromSize, to: toSize, change: toSize - fromSize },
    layers: { shared, added: newLayers.size - shared, removed: oldLayers.size - shared },
  };
}

function packageChanges(
  before: PlatformInventory | undefined,
  after: PlatformInventory | undefined,
): { changes: PackageChange[] } | { unknown: string } {
  const empty = { manager: 'dpkg', packages: [] } as const;
  const old = before ? before.inventory : { known: true as const, ...empty };
  const now = after ? after.inventory : { known: true as const, ...empty };
  if (!old.known) return { unknown: `before: ${old.reason}` };
  if (!now.known) return { unknown: `after: ${now.reason}` };
  return { changes: diffPackages(old, now) };
}

function sizeOf(image: PlatformInventory | undefined): number {
  return image?.layers.reduce((sum, layer) => sum + layer.size, 0) ?? 0;
}

function sameRelease(a: OsRelease | undefined, b: OsRelease | undefined): boolean {
  return a?.id === b?.id && a?.versionId === b?.versionId && a?.prettyName === b?.prettyName;
}

/** The events' `data.changes`: counts and OS per platform, the first package changes, and where the rest is. */
export interface ChangesSummary {
  readonly from: string;
  readonly to: string;
  /** The operator API path of the full diff. */
  readonly link: string;
  readonly platforms: readonly {
    readonly platform: string;
    readonly os: { readonly from?: string; readonly to?: string; readonly changed: boolean };
    readonly counts: PackageCounts;
    readonly packagesUnknown?: string;
    readonly compressedSizeChange: number;
    readonly layers: PlatformChanges['layers'];
  }[];
  /** The platform the package list below is of: linux/amd64 when there, else the first known. */
  readonly packagesOf?: string;
  readonly packages: readonly PackageChange[];
  /** Package changes on that platform beyond those listed. */
  readonly morePackages: number;
}

export const SUMMARY_PACKAGES = 50;

export function summariseChanges(
  changes: ImageChanges,
  link: string,
  limit = SUMMARY_PACKAGES,
): ChangesSummary {
  const known = changes.platforms.filter((p) => p.packages !== undefined);
  const shown = known.find((p) => p.platform === 'linux/amd64') ?? known[0];
  const packages = shown?.packages ?? [];
  return {
    from: changes.from,
    to: changes.to,
    link,
    platforms: changes.platforms.map((p) => ({
      platform: p.platform,
      os: {
        ...(p.os.from && { from: releaseName(p.os.from) }),
        ...(p.os.to && { to: releaseName(p.os.to) }),
        changed: p.os.changed,
      },
      counts: p.counts,
      ...(p.packagesUnknown !== undefined && { packagesUnknown: p.packagesUnknown }),
      compressedSizeChange: p.compressedSize.change,
      layers: p.layers,
    })),
    ...(shown && { packagesOf: shown.platform }),
    packages: packages.slice(0, limit),
    morePackages: Math.max(0, packages.length - limit),
  };
}

/** `Debian GNU/Linux 12 (bookworm)`, else `debian 12`. */
export function releaseName(os: OsRelease): string {
  return os.prettyName ?? [os.id, os.versionId].filter(Boolean).join(' ');
}

/** Where the operator API serves the full diff of `target` between two digests. */
export function changesLink(target: string, from: string, to: string): string {
  return `/api/images/${encodeURIComponent(target)}/changes?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
}
