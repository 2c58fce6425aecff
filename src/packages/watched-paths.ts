// The few paths of an image's filesystem a package inventory reads, and which whiteouts can touch them.

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;
export const APK_DATABASE = 'lib/apk/db/installed';
export const DPKG_STATUS = 'var/lib/dpkg/status';
/** Distroless keeps one file per package here instead of a status file. */
export const DPKG_STATUS_DIR = 'var/lib/dpkg/status.d';
export const RPM_DATABASES = [
  'var/lib/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'var/lib/rpm/Packages',
  'usr/lib/sysimage/rpm/Packages',
  // SUSE's ndb format: noticed so the reason names it, not read.
  'var/lib/rpm/Packages.db',
  'usr/lib/sysimage/rpm/Packages.db',
] as const;

/** The sqlite databases of rpm ≥ 4.16, the ones read; the Berkeley DB `Packages` files are only noticed. */
export function isRpmSqlite(path: string): boolean {
  return path.endsWith('/rpmdb.sqlite');
}

export type WatchedKind = 'os-release' | 'apk' | 'dpkg' | 'rpm';

const FIXED = new Map<string, WatchedKind>([
  ...OS_RELEASE_PATHS.map((path) => [path, 'os-release'] as const),
  [APK_DATABASE, 'apk'],
  [DPKG_STATUS, 'dpkg'],
  ...RPM_DATABASES.map((path) => [path, 'rpm'] as const),
]);

/** Every directory above a watched path ('' is the root). */
const ANCESTORS = new Set(
  [...FIXED.keys(), `${DPKG_STATUS_DIR}/x`].flatMap((path) => {
    const parts = path.split('/');
    return parts.map((_, i) => parts.slice(0, i).join('/'));
  }),
);

/** `./etc/os-release`, `/etc/os-release/` → `etc/os-release`. */
export function normalisePath(name: string): string {
  return name.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
}

/** What a regular file at `path` is to us, if anything. */
export function watchedKind(path: string): WatchedKind | undefined {
  const fixed = FIXED.get(path);
  if (fixed) return fixed;
  if (isDistrolessEntry(path)) return 'dpkg';
  return undefined;
}

/** `status.d/<package>`, one level deep; distroless puts `<package>.md5sums` beside it, which we skip. */
export function isDistrolessEntry(path: string): boolean {
  if (!path.startsWith(`${DPKG_STATUS_DIR}/`)) return false;
  const name = path.slice(DPKG_STATUS_DIR.length + 1);
  return name !== '' && !name.includes('/') && !name.endsWith('.md5sums');
}

/** True when removing `path` (or making it opaque) can hide a watched file. */
export function touchesWatched(path: string): boolean {
  return ANCESTORS.has(path) || FIXED.has(path) || isDistrolessEntry(path);
}
