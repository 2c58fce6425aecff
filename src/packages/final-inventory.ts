// The files as the final image has them, from each layer's findings read top-down: the first layer
// (from the top) that holds a path wins; a whiteout or opaque directory above it hides what is below.
import type { InstalledPackage, OsRelease, PackageInventory } from '../core/installed-packages.js';
import type { FoundFile, LayerFindings } from '../core/layer-findings.js';
import {
  APK_DATABASE,
  DPKG_STATUS,
  DPKG_STATUS_DIR,
  isDistrolessEntry,
  OS_RELEASE_PATHS,
  RPM_DATABASES,
} from './watched-paths.js';

export interface ReadLayer {
  readonly digest: string;
  readonly findings: LayerFindings;
}

/** The OS release and the package inventory of an image whose layers are given base first. */
export function finalInventory(layers: readonly ReadLayer[]): {
  os?: OsRelease;
  inventory: PackageInventory;
} {
  const unreadableLayer = layers.find((layer) => layer.findings.unreadable !== undefined);
  const file = (path: string) => finalFile(layers, path);
  const os = OS_RELEASE_PATHS.map(file).find((found) => found?.kind === 'os-release');
  const release = os?.kind === 'os-release' ? { os: os.release } : {};
  if (unreadableLayer) {
    return {
      ...release,
      inventory: unknown(`layer ${unreadableLayer.digest}: ${unreadableLayer.findings.unreadable}`),
    };
  }
  return { ...release, inventory: packageInventory(layers, file) };
}

function packageInventory(
  layers: readonly ReadLayer[],
  file: (path: string) => FoundFile | undefined,
): PackageInventory {
  const apk = file(APK_DATABASE);
  if (apk?.kind === 'unreadable') return unknown(apk.reason);
  if (apk?.kind === 'apk-installed') return { known: true, manager: 'apk', packages: apk.packages };

  const entries = [
    ...new Set(layers.flatMap((layer) => Object.keys(layer.findings.files).filter(isDistrolessEntry))),
  ].sort();
  const dpkg = [DPKG_STATUS, ...entries].map(file).filter((found) => found !== undefined);
  const unreadableDpkg = dpkg.find((found) => found.kind === 'unreadable');
  if (unreadableDpkg?.kind === 'unreadable') return unknown(unreadableDpkg.reason);
  if (dpkg.length > 0) {
    const packages = dpkg.flatMap((found) => (found.kind === 'dpkg-status' ? found.packages : []));
    return { known: true, manager: 'dpkg', packages: unique(packages) };
  }

  const rpm = RPM_DATABASES.map(file).find((found) => found !== undefined);
  if (rpm?.kind === 'unreadable') return unknown(rpm.reason);
  if (rpm?.kind === 'rpm-packages') return { known: true, manager: 'rpm', packages: rpm.packages };
  return unknown(
    `no package database (looked for ${APK_DATABASE}, ${DPKG_STATUS}, ${DPKG_STATUS_DIR}/ and the rpm databases)`,
  );
}

/** What the final image holds at `path`, or undefined when nothing does. */
export function finalFile(layers: readonly ReadLayer[], path: string): FoundFile | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const { findings } = layers[i] as ReadLayer;
    // Own keys only: a path is text from the layer, and `constructor` is no file of ours.
    if (Object.hasOwn(findings.files, path)) return findings.files[path];
    if (findings.deleted.some((gone) => path === gone || path.startsWith(`${gone}/`))) return undefined;
    if (findings.opaque.some((dir) => dir === '' || path.startsWith(`${dir}/`))) return undefined;
  }
  return undefined;
}

/** One entry per name and architecture: a package listed in both status and status.d counts once. */
function unique(packages: readonly InstalledPackage[]): InstalledPackage[] {
  const seen = new Map<string, InstalledPackage>();
  for (const pkg of packages) seen.set(`${pkg.name}\0${pkg.architecture ?? ''}`, pkg);
  return [...seen.values()];
}

function unknown(reason: string): PackageInventory {
  return { known: false, reason: `package list unknown: ${reason}` };
}
