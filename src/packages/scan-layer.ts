// Reads one layer's tar as a stream and keeps only what a package inventory needs: the watched files,
// parsed, and the whiteouts that can hide them. Every other entry is skipped without being kept.
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { FoundFile, LayerFindings } from '../core/layer-findings.js';
import { parseApkInstalled } from './apk-installed.js';
import { parseDpkgStatus } from './dpkg-status.js';
import { parseOsRelease } from './os-release.js';
import { readRpmSqlite } from './rpm-sqlite.js';
import {
  isDistrolessEntry,
  isRpmSqlite,
  normalisePath,
  touchesWatched,
  type WatchedKind,
  watchedKind,
} from './watched-paths.js';

export interface LayerLimits {
  /** The largest watched file read (a big Debian status file is a few MiB). */
  readonly maxFileBytes: number;
  /** The most distroless `status.d` entries read from one layer. */
  readonly maxDistrolessEntries: number;
  /** The most uncompressed bytes read from one layer: a decompression bomb stops here. */
  readonly maxTarBytes: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxFileBytes: 32 * 1024 * 1024,
  maxDistrolessEntries: 20_000,
  maxTarBytes: 64 * 1024 ** 3,
};

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export async function scanLayer(
  content: Readable,
  limits: LayerLimits = DEFAULT_LAYER_LIMITS,
): Promise<LayerFindings> {
  const files: Record<string, FoundFile> = {};
  const deleted = new Set<string>();
  const opaque = new Set<string>();
  let distroless = 0;
  const extract = tar.extract();
  let seen = 0;
  content.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limits.maxTarBytes)
      content.destroy(
        new Error(`layer is larger than ${limits.maxTarBytes} bytes uncompressed; not read further`),
      );
  });
  content.on('error', (error) => extract.destroy(error));
  content.pipe(extract);

  for await (const entry of extract) {
    const { header } = entry;
    const path = normalisePath(header.name);
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    const base = path.slice(slash + 1);
    const type = header.type ?? 'file';
    const regular = type === 'file' || type === 'contiguous-file';
    const kind = regular ? watchedKind(path) : undefined;
    if (base === OPAQUE) {
      if (touchesWatched(dir)) opaque.add(dir);
    } else if (base.startsWith(WHITEOUT)) {
      const target = dir === '' ? base.slice(WHITEOUT.length) : `${dir}/${base.slice(WHITEOUT.length)}`;
      if (touchesWatched(target)) deleted.add(target);
    } else if (kind) {
      if (isDistrolessEntry(path) && ++distroless > limits.maxDistrolessEntries) {
        files[path] = unreadable(`more than ${limits.maxDistrolessEntries} entries in var/lib/dpkg/status.d`);
      } else {
        files[path] = await readWatched(entry, kind, path, header.size ?? 0, limits);
        continue;
      }
    } else if (type === 'link' && watchedKind(path)) {
      // A hard link names an earlier entry of the same archive: take what that entry held, if we kept it.
      const target = normalisePath(header.linkname ?? '');
      files[path] =
        (Object.hasOwn(files, target) ? files[target] : undefined) ??
        unreadable(`${path} is a hard link to ${target}, which is not read`);
    } else if (type !== 'directory' && touchesWatched(path)) {
      // A symlink or other non-directory here replaces what the layers below had at this path.
      deleted.add(path);
    }
    entry.resume();
  }
  return { files, deleted: [...deleted].sort(), opaque: [...opaque].sort() };
}

async function readWatched(
  entry: AsyncIterable<unknown> & { resume(): unknown },
  kind: WatchedKind,
  path: string,
  size: number,
  limits: LayerLimits,
): Promise<FoundFile> {
  if (kind === 'rpm' && !isRpmSqlite(path)) {
    entry.resume();
    return unreadable(`${path} is a Berkeley DB or ndb rpm database; only rpmdb.sqlite is read`);
  }
  if (size > limits.maxFileBytes) {
    entry.resume();
    return unreadable(`${path} is ${size} bytes, more than the ${limits.maxFileBytes} read`);
  }
  // One buffer of the size the tar header gives, filled as the entry streams: no second copy to join chunks.
  const bytes = Buffer.allocUnsafe(size);
  let filled = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    filled += chunk.copy(bytes, filled);
  }
  if (kind === 'rpm') return rpmPackages(path, bytes.subarray(0, filled));
  const text = bytes.toString('utf8', 0, filled);
  if (kind === 'os-release') return { kind: 'os-release', release: parseOsRelease(text) };
  if (kind === 'apk') return { kind: 'apk-installed', packages: parseApkInstalled(text) };
  return { kind: 'dpkg-status', packages: parseDpkgStatus(text) };
}

async function rpmPackages(path: string, bytes: Buffer): Promise<FoundFile> {
  try {
    return { kind: 'rpm-packages', packages: await readRpmSqlite(bytes) };
  } catch (error) {
    return unreadable(`${path}: ${(error as Error).message}`);
  }
}

function unreadable(reason: string): FoundFile {
  return { kind: 'unreadable', reason };
}
