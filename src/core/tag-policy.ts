// Which upstream tags to track this cycle: a fixed list, or a policy applied to the registry's tag list.
import semver from 'semver';

/** Keep the tags whose version satisfies `semver`, whose name matches `match`, then the `latest` N. */
export interface TagPolicy {
  /** A semver range (`>=20 <23`) over the version a tag starts with (`20.11-alpine` → 20.11.0). */
  readonly semver?: string;
  /** A regular expression the whole tag is tested against (unanchored, as written). */
  readonly match?: string;
  /** Keep only the N highest versions. */
  readonly latest?: number;
}

export type TagSelection = { readonly tags: readonly string[] } | { readonly tagPolicy: TagPolicy };

export interface ResolvedTags {
  /** The concrete tags to track, in a stable order (listed order, or highest version first). */
  readonly tags: string[];
  /** Exact tags the registry did not list (a policy never reports missing tags). */
  readonly missing: string[];
}

// A leading version: `20`, `v1.2`, `20.11.1-alpine3.19`. Tags such as `alpine3.19` carry none.
const LEADING_VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?=$|[^\d.])/;

interface VersionedTag {
  readonly tag: string;
  readonly version: string;
  /** How many version components the tag spells out; `22.1.0` is more precise than `22`. */
  readonly precision: number;
}

/** The version a tag starts with, or undefined when it does not start with one. */
export function tagVersion(tag: string): { version: string; precision: number } | undefined {
  const m = LEADING_VERSION.exec(tag);
  if (!m) return undefined;
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined);
  const version = [0, 1, 2].map((i) => Number(parts[i] ?? 0)).join('.');
  return semver.valid(version) ? { version, precision: parts.length } : undefined;
}

/** Problems with a policy as written, for the config loader; empty when it is usable. */
export function tagPolicyProblems(policy: TagPolicy): { field: keyof TagPolicy; message: string }[] {
  const problems: { field: keyof TagPolicy; message: string }[] = [];
  if (policy.semver !== undefined && semver.validRange(policy.semver) === null) {
    problems.push({ field: 'semver', message: `'${policy.semver}' is not a semver range (e.g. ">=20 <23")` });
  }
  if (policy.match !== undefined) {
    try {
      new RegExp(policy.match);
    } catch (error) {
      problems.push({ field: 'match', message: `not a regular expression: ${(error as Error).message}` });
    }
  }
  if (policy.semver === undefined && policy.match === undefined && policy.latest === undefined) {
    problems.push({ field: 'semver', message: 'a tagPolicy needs at least one of semver, match, latest' });
  }
  return problems;
}

/** Resolves a selection against the tags the registry lists. Pure; the order of `available` does not matter. */
export function resolveTags(selection: TagSelection, available: readonly string[]): ResolvedTags {
  if ('tags' in selection) {
    const listed = new Set(available);
    const tags = [...new Set(selection.tags)];
    return { tags, missing: tags.filter((tag) => !listed.has(tag)) };
  }
  return { tags: applyPolicy(selection.tagPolicy, available), missing: [] };
}

function applyPolicy(policy: TagPolicy, available: readonly string[]): string[] {
  const match = policy.match !== undefined ? new RegExp(policy.match) : undefined;
  const candidates = [...new Set(available)].filter((tag) => match === undefined || match.test(tag));
  if (policy.semver === undefined && policy.latest === undefined) return candidates.sort();

  const versioned: VersionedTag[] = [];
  for (const tag of candidates) {
    const v = tagVersion(tag);
    if (!v) continue;
    if (policy.semver !== undefined && !semver.satisfies(v.version, policy.semver)) continue;
    versioned.push({ tag, ...v });
  }
  versioned.sort(byVersionDescending);
  const kept = policy.latest !== undefined ? versioned.slice(0, policy.latest) : versioned;
  return kept.map((v) => v.tag);
}

// Highest version first; among equal versions the more precise tag, then by name, so order is total.
function byVersionDescending(a: VersionedTag, b: VersionedTag): number {
  return (
    semver.rcompare(a.version, b.version) ||
    b.precision - a.precision ||
    (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)
  );
}
