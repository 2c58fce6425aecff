// The gate's `packages` check: whether the package changes between the digest a tag holds and the
// quarantined one break its rules, judged on the package diff (image-changes.ts).
import type { PackageRules, Verdict } from './gate.js';
import type { ImageChanges, PlatformChanges } from './image-changes.js';
import type { PackageChange } from './package-diff.js';

/** Changes named one by one in a packages verdict before "and N more". */
const NAMED_CHANGES = 5;

/**
 * The `packages` check on the diff from the digest the tag holds to the quarantined one. No previous
 * image (a first import) passes. A platform whose package list is unknown fails: no rule can be checked
 * on it, and a check that cannot look is never a pass. Downgrades, removals and the change count are
 * judged on platforms both images have; a forbidden package is refused on any platform it arrives on.
 */
export function packagesVerdict(changes: ImageChanges | undefined, rules: PackageRules): Verdict {
  if (changes === undefined)
    return { passed: true, detail: 'first import: no previous image to compare with' };
  const present = changes.platforms.filter((p) => p.toDigest !== undefined);
  const unknown = present.find((p) => p.packagesUnknown !== undefined);
  if (unknown)
    return {
      passed: false,
      reason: `cannot check the packages of ${unknown.platform}: ${unknown.packagesUnknown}`,
    };
  const both = present.filter((p) => p.fromDigest !== undefined);
  const of = (platforms: readonly PlatformChanges[], kind: PackageChange['kind']) =>
    platforms.flatMap((p) => (p.packages ?? []).filter((change) => change.kind === kind));
  const problems: string[] = [];
  if (rules.deny.includes('downgrade')) {
    const downgrades = unique(of(both, 'downgraded').map((c) => `${c.name} ${c.from} → ${c.to}`));
    if (downgrades.length > 0)
      problems.push(`${counted(downgrades.length, 'package')} downgraded: ${named(downgrades)}`);
  }
  if (rules.deny.includes('remove')) {
    const removals = unique(of(both, 'removed').map((c) => `${c.name} ${c.from}`));
    if (removals.length > 0)
      problems.push(`${counted(removals.length, 'package')} removed: ${named(removals)}`);
  }
  const forbidden = unique(
    of(present, 'added')
      .filter((c) => rules.forbid.includes(c.name))
      .map((c) => c.name),
  );
  if (forbidden.length > 0)
    problems.push(`forbidden ${forbidden.length === 1 ? 'package' : 'packages'} added: ${named(forbidden)}`);
  if (rules.maxChanges !== undefined) {
    const total = (p: PlatformChanges) =>
      p.counts.added + p.counts.removed + p.counts.upgraded + p.counts.downgraded;
    const most = both.reduce<PlatformChanges | undefined>(
      (worst, p) => (worst === undefined || total(p) > total(worst) ? p : worst),
      undefined,
    );
    if (most !== undefined && total(most) > rules.maxChanges)
      problems.push(
        `${counted(total(most), 'package change')} on ${most.platform}, more than the ${rules.maxChanges} allowed`,
      );
  }
  const summary = both
    .map(
      (p) =>
        `${p.platform} ${p.counts.added} added, ${p.counts.removed} removed, ${p.counts.upgraded} upgraded, ${p.counts.downgraded} downgraded`,
    )
    .join('; ');
  const changed = summary === '' ? 'no platform in common with the previous image' : `changes: ${summary}`;
  if (problems.length > 0) return { passed: false, reason: `${problems.join('; ')} (${changed})` };
  return { passed: true, detail: `no package change refused (${changed})` };
}

function unique(texts: readonly string[]): string[] {
  return [...new Set(texts)];
}

function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The first few, then how many more: a rejection stays readable in a chat message and in history. */
function named(texts: readonly string[]): string {
  const shown = texts.slice(0, NAMED_CHANGES).join(', ');
  return texts.length > NAMED_CHANGES ? `${shown} and ${texts.length - NAMED_CHANGES} more` : shown;
}
