// The gate between upstream and the tag every app builds FROM: a new digest waits in a quarantine
// repository until each check passes, in order; the first failure rejects it and nothing else moves.
import { parsePlatform, platformMatches } from './platform.js';

/** Package changes a `packages` check can deny. */
export const PACKAGE_DENIALS = ['downgrade', 'remove'] as const;
export type PackageDenial = (typeof PACKAGE_DENIALS)[number];

/** What a `packages` check allows between the digest the tag holds and the quarantined one. */
export interface PackageRules {
  readonly deny: readonly PackageDenial[];
  /** The most package changes (added, removed, upgraded, downgraded) on any one platform. */
  readonly maxChanges?: number;
  /** Packages the new digest may not add. */
  readonly forbid: readonly string[];
}

/** One check a quarantined digest must pass. Secrets appear only as `env:NAME` references. */
export type GateCheck =
  | { readonly kind: 'platforms'; readonly platforms: readonly string[] }
  | { readonly kind: 'maxGrowth'; readonly percent: number }
  | {
      readonly kind: 'webhook';
      /** `https://…` or `env:NAME` (a URL may carry a token). */
      readonly url: string;
      readonly secret?: string;
      /** How long a 202 answer is polled before the check fails. */
      readonly timeoutSeconds: number;
    }
  | { readonly kind: 'acrTask'; readonly task: string; readonly timeoutSeconds: number }
  | { readonly kind: 'signature'; readonly policy: Readonly<Record<string, unknown>> }
  | ({ readonly kind: 'packages' } & PackageRules);

export type GateCheckKind = GateCheck['kind'];

export interface Gate {
  /** The private repository a new digest is copied to first, e.g. `quarantine/node`. */
  readonly quarantine: string;
  readonly checks: readonly GateCheck[];
}

/** What a check concluded. A check that could not run is a failure, never a pass. */
export type Verdict =
  | { readonly passed: true; readonly detail?: string }
  | { readonly passed: false; readonly reason: string };

/** One check's result as history and events keep it. */
export interface CheckResult {
  readonly check: string;
  readonly passed: boolean;
  readonly reason?: string;
  readonly detail?: string;
}

/** A gate in words, for `plan`, a dry run and the operator API. */
export interface GateSummary {
  readonly quarantine: string;
  /** In the order they run, as describeCheck names them. */
  readonly checks: readonly string[];
}

export function summariseGate(gate: Gate): GateSummary {
  return { quarantine: gate.quarantine, checks: gate.checks.map(describeCheck) };
}

/** The check as people read it in events, history and `plan`: never a secret, never a URL's query. */
export function describeCheck(check: GateCheck): string {
  switch (check.kind) {
    case 'platforms':
      return `platforms [${check.platforms.join(', ')}]`;
    case 'maxGrowth':
      return `maxGrowth ${check.percent}%`;
    case 'webhook':
      return `webhook ${redactedUrl(check.url)}`;
    case 'acrTask':
      return `acrTask ${check.task}`;
    case 'signature':
      return 'signature';
    case 'packages':
      return `packages ${[
        ...(check.deny.length > 0 ? [`deny [${check.deny.join(', ')}]`] : []),
        ...(check.maxChanges !== undefined ? [`maxChanges ${check.maxChanges}`] : []),
        ...(check.forbid.length > 0 ? [`forbid [${check.forbid.join(', ')}]`] : []),
      ].join(', ')}`;
  }
}

// Only scheme, host and path: a query string or user info may hold a token.
function redactedUrl(url: string): string {
  if (url.startsWith('env:')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * The required platforms the image does not have, in the order they were asked for; matched as
 * containerd does (`linux/arm64` is `linux/arm64/v8`).
 */
export function missingPlatforms(present: readonly string[], required: readonly string[]): string[] {
  const have = present.map(parsePlatform);
  return required.filter(
    (wanted) => !have.some((candidate) => platformMatches(parsePlatform(wanted), candidate)),
  );
}

/**
 * Compressed size against the image it replaces, per platform both have. No previous image (a first
 * import) passes: there is nothing to grow from.
 */
export function growthVerdict(
  previous: ReadonlyMap<string, number> | undefined,
  next: ReadonlyMap<string, number>,
  maxPercent: number,
): Verdict {
  if (previous === undefined || previous.size === 0)
    return { passed: true, detail: 'no previous image to compare with' };
  let worst: { platform: string; percent: number; from: number; to: number } | undefined;
  for (const [platform, to] of next) {
    const from = previous.get(platform);
    if (from === undefined || from === 0) continue;
    const percent = ((to - from) / from) * 100;
    if (worst === undefined || percent > worst.percent) worst = { platform, percent, from, to };
  }
  if (worst === undefined) return { passed: true, detail: 'no platform in common with the previous image' };
  const grew = `${worst.platform} grew ${worst.percent.toFixed(1)}% (${worst.from} → ${worst.to} bytes compressed)`;
  if (worst.percent > maxPercent)
    return { passed: false, reason: `${grew}, more than the ${maxPercent}% allowed` };
  return { passed: true, detail: grew };
}

/** Longest tag the OCI distribution spec allows. */
const MAX_TAG_LENGTH = 128;

/**
 * The immutable tag that keeps the digest a move replaces: `<tag>-<UTC yyyymmddHHMMSS>`, and for a second
 * move of the same tag within that second `…-2`, `…-3`; the tag is shortened so the whole fits in 128.
 */
export function keptTag(tag: string, at: Date, attempt = 1): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14) + (attempt > 1 ? `-${attempt}` : '');
  return `${tag.slice(0, MAX_TAG_LENGTH - stamp.length - 1)}-${stamp}`;
}
