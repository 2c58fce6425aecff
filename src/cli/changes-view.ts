// The changes between two images as a terminal reads them: per platform the OS release, counts, size
// and layers, then one row per package change.
import { type ImageChanges, type PlatformChanges, releaseName } from '../core/image-changes.js';
import type { OsRelease } from '../core/installed-packages.js';
import { formatBytes } from './progress-view.js';

export function changesTable(from: string, to: string, changes: ImageChanges): string {
  const lines = [`${from} → ${to}`];
  if (changes.platforms.length === 0) lines.push('no platform of either image matches --platform');
  for (const platform of changes.platforms) lines.push('', ...platformLines(platform));
  return `${lines.join('\n')}\n`;
}

function platformLines(p: PlatformChanges): string[] {
  const presence = !p.fromDigest ? ' (new platform)' : !p.toDigest ? ' (platform gone)' : '';
  const os = p.os.changed ? `${release(p.os.from)} → ${release(p.os.to)}` : release(p.os.to ?? p.os.from);
  const { added, removed, upgraded, downgraded } = p.counts;
  const size = p.compressedSize;
  const sign = size.change >= 0 ? '+' : '-';
  const lines = [
    `${p.platform}${presence}: ${os}`,
    `  size ${formatBytes(size.from)} → ${formatBytes(size.to)} (${sign}${formatBytes(Math.abs(size.change))}); layers: ${p.layers.shared} shared, ${p.layers.added} new, ${p.layers.removed} gone`,
  ];
  if (!p.packages) return [...lines, `  ${p.packagesUnknown}`];
  lines.push(
    `  packages: ${added} added, ${removed} removed, ${upgraded} upgraded, ${downgraded} downgraded`,
  );
  if (p.packages.length === 0) return lines;
  const rows = [
    ['CHANGE', 'PACKAGE', 'FROM', 'TO'],
    ...p.packages.map((c) => [c.kind, c.name, c.from ?? '', c.to ?? '']),
  ];
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows)
    lines.push(
      `  ${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell)).join('  ')}`.trimEnd(),
    );
  return lines;
}

function release(os: OsRelease | undefined): string {
  return os ? releaseName(os) || 'os-release without a name' : 'no os-release';
}
