// One event told for people: a title, the facts that matter, and the package changes it carries. The
// chat formats (Teams, Slack) draw their cards from this, so both say the same thing.
import type { BasewatchEvent } from '../core/events.js';
import type { ChangesSummary } from '../core/image-changes.js';

export interface EventStory {
  readonly title: string;
  readonly facts: readonly { readonly name: string; readonly value: string }[];
  /** `upgraded openssl 3.3.2-r0 → 3.3.2-r4`, the first few. */
  readonly packages: readonly string[];
  /** Package changes beyond those listed. */
  readonly morePackages: number;
  /** Links safe to show: http(s) only. */
  readonly links: readonly { readonly title: string; readonly url: string }[];
}

/** Package lines shown per event in a chat message (the full list is behind the operator API link). */
export const CHAT_PACKAGES = 10;

const TITLES: Record<string, string> = {
  'basewatch.upstream.changed': 'upstream changed',
  'basewatch.image.imported': 'imported',
  'basewatch.image.import_failed': 'import failed',
  'basewatch.image.rejected': 'rejected by the gate',
  'basewatch.image.rolled_back': 'rolled back',
  'basewatch.rebuild.started': 'rebuild started',
  'basewatch.rebuild.succeeded': 'rebuilt',
  'basewatch.rebuild.failed': 'rebuild failed',
  'basewatch.rebuild.skipped': 'rebuild skipped',
  'basewatch.sync.completed': 'sync completed',
};

export function eventStory(event: BasewatchEvent): EventStory {
  const data = event.data;
  const who = typeof data.app === 'string' ? data.app : (data.image ?? event.subject);
  const facts: { name: string; value: string }[] = [];
  if (typeof data.team === 'string') facts.push({ name: 'Team', value: data.team });
  if (typeof data.app === 'string' && typeof data.image === 'string')
    facts.push({ name: 'Image', value: data.image });
  if (data.digest !== undefined)
    facts.push({
      name: 'Digest',
      value: data.previousDigest
        ? `${short(data.previousDigest)} → ${short(data.digest)}`
        : short(data.digest),
    });
  const changes = isSummary(data.changes) ? data.changes : undefined;
  facts.push(...changesFacts(changes));
  if (typeof data.reason === 'string') facts.push({ name: 'Reason', value: data.reason });
  const links = [];
  if (typeof data.logUrl === 'string' && /^https?:\/\//.test(data.logUrl))
    links.push({ title: 'Log', url: data.logUrl });
  return {
    title: `${who}: ${TITLES[event.type] ?? event.type}`,
    facts,
    ...packageLines(changes, CHAT_PACKAGES),
    links,
  };
}

/** Per platform: the OS release (and its change) and the package counts, or why the packages are unknown. */
export function changesFacts(changes: ChangesSummary | undefined): { name: string; value: string }[] {
  return (changes?.platforms ?? []).map((platform) => {
    const { added, removed, upgraded, downgraded } = platform.counts;
    const os = platform.os.changed
      ? `${platform.os.from ?? '?'} → ${platform.os.to ?? '?'}`
      : (platform.os.to ?? '');
    const packages =
      platform.packagesUnknown ??
      `${added} added, ${removed} removed, ${upgraded} upgraded, ${downgraded} downgraded`;
    return { name: platform.platform, value: [os, packages].filter(Boolean).join('; ') };
  });
}

/** The first `max` package changes as lines, and how many more the summary and its source hold. */
export function packageLines(
  changes: ChangesSummary | undefined,
  max: number,
): { packages: string[]; morePackages: number } {
  const shown = (changes?.packages ?? []).slice(0, max);
  return {
    packages: shown.map((c) => `${c.kind} ${c.name} ${[c.from, c.to].filter(Boolean).join(' → ')}`),
    morePackages: (changes?.packages.length ?? 0) - shown.length + (changes?.morePackages ?? 0),
  };
}

/** `sha256:9f2c4e…` → `9f2c4e1a2b3c` (12 hex, as docker prints image ids). */
export function short(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

export function isSummary(value: unknown): value is ChangesSummary {
  const summary = value as ChangesSummary | undefined;
  return Array.isArray(summary?.platforms) && Array.isArray(summary?.packages);
}
