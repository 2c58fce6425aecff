// The package changes between two inventories: added, removed, upgraded and downgraded, with versions
// ordered by the distribution's own rules.
import { compareVersions, type InstalledPackage, type PackageManager } from './installed-packages.js';

export type PackageChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded';

export interface PackageChange {
  readonly kind: PackageChangeKind;
  readonly name: string;
  readonly architecture?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface PackageCounts {
  readonly added: number;
  readonly removed: number;
  readonly upgraded: number;
  readonly downgraded: number;
}

/**
 * Changes sorted by package name. Packages are matched by name, and by name and architecture where one
 * name is installed for several (dpkg multiarch). Versions that the rules hold equal are no change.
 */
export function diffPackages(
  before: { manager: PackageManager; packages: readonly InstalledPackage[] },
  after: { manager: PackageManager; packages: readonly InstalledPackage[] },
): PackageChange[] {
  const old = byKey(before.packages);
  const now = byKey(after.packages);
  const sameRules = before.manager === after.manager;
  const changes: PackageChange[] = [];
  for (const [key, pkg] of now) {
    const was = old.get(key);
    if (!was) {
      changes.push(change('added', pkg, undefined, pkg.version));
      continue;
    }
    if (was.version === pkg.version) continue;
    const order = sameRules ? compareVersions(after.manager, pkg.version, was.version) : 1;
    if (order > 0) changes.push(change('upgraded', pkg, was.version, pkg.version));
    else if (order < 0) changes.push(change('downgraded', pkg, was.version, pkg.version));
  }
  for (const [key, pkg] of old)
    if (!now.has(key)) changes.push(change('removed', pkg, pkg.version, undefined));
  return changes.sort(
    (a, b) =>
      compareText(a.name, b.name) ||
      compareText(a.architecture ?? '', b.architecture ?? '') ||
      compareText(a.kind, b.kind),
  );
}

export function countChanges(changes: readonly PackageChange[]): PackageCounts {
  const counts = { added: 0, removed: 0, upgraded: 0, downgraded: 0 };
  for (const { kind } of changes) counts[kind]++;
  return counts;
}

function change(
  kind: PackageChangeKind,
  pkg: InstalledPackage,
  from: string | undefined,
  to: string | undefined,
): PackageChange {
  return {
    kind,
    name: pkg.name,
    ...(pkg.architecture !== undefined && { architecture: pkg.architecture }),
    ...(from !== undefined && { from }),
    ...(to !== undefined && { to }),
  };
}

function byKey(packages: readonly InstalledPackage[]): Map<string, InstalledPackage> {
  const seen = new Map<string, number>();
  for (const { name } of packages) seen.set(name, (seen.get(name) ?? 0) + 1);
  const keyed = new Map<string, InstalledPackage>();
  for (const pkg of packages) {
    const key = (seen.get(pkg.name) ?? 0) > 1 ? `${pkg.name}:${pkg.architecture ?? ''}` : pkg.name;
    keyed.set(key, pkg);
  }
  return keyed;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
