// What travels with an image besides its own manifests: signatures, SBOMs and attestations that
// name it as their subject (OCI referrers) or sit beside it under cosign's tags.

/** Which referrers a copy keeps: every one, none, or those of the listed artifact types. */
export type ReferrerPolicy = 'all' | 'none' | readonly string[];

/** How a referrer was found at the source and how it was attached at the target. */
export type ReferrerLink = 'referrers-api' | 'tag-schema' | 'cosign-tag';

/** One attachment copied with an image. */
export interface CopiedReferrer {
  /** The manifest it describes. */
  readonly subject: string;
  readonly digest: string;
  /** The artifact type (or config media type), e.g. `application/vnd.dev.cosign.simplesigning.v1+json`. */
  readonly artifactType: string;
  /** Set for cosign's tags: `sha256-<hex>.sig`, `.att`, `.sbom`. */
  readonly tag?: string;
  readonly foundBy: ReferrerLink;
  readonly attachedBy: ReferrerLink;
}

/** Attachments a copy could not keep, and why; the copy itself still stands. */
export interface LostReferrers {
  readonly subject: string;
  readonly reason: string;
}

/** What a copy did with the attachments of the manifests it copied (plain JSON). */
export interface ReferrersOutcome {
  readonly policy: ReferrerPolicy;
  /** The first attachments copied (a bounded list: it travels in events and history). */
  readonly copied: readonly CopiedReferrer[];
  /** Every attachment copied, listed or not. */
  readonly copiedTotal: number;
  /** Referrers left out because the policy does not name their artifact type. */
  readonly skipped: number;
  /** The first attachments that could not be kept, and why (bounded like `copied`). */
  readonly lost: readonly LostReferrers[];
  readonly lostTotal: number;
}

/** True when the policy keeps an attachment of this artifact type. */
export function keepsReferrer(policy: ReferrerPolicy, artifactType: string): boolean {
  if (policy === 'all') return true;
  if (policy === 'none') return false;
  return policy.includes(artifactType);
}

/** The outcome of an importer that keeps no attachments at all (ACR import drops them), saying why. */
export function referrersNotKept(policy: ReferrerPolicy, subject: string, reason: string): ReferrersOutcome {
  const lost = policy === 'none' ? [] : [{ subject, reason }];
  return { policy, copied: [], copiedTotal: 0, skipped: 0, lost, lostTotal: lost.length };
}

/** One line for events, history and the console: what was kept and what was not. */
export function describeReferrers(outcome: ReferrersOutcome): string {
  if (outcome.policy === 'none') return 'attachments not copied (referrers: none)';
  const kept = `kept ${outcome.copiedTotal} attachment${outcome.copiedTotal === 1 ? '' : 's'}`;
  const skipped = outcome.skipped > 0 ? `, ${outcome.skipped} left out by the referrers policy` : '';
  const first = outcome.lost[0];
  const lost =
    first === undefined
      ? ''
      : `; ${outcome.lostTotal} not kept (${first.subject}: ${first.reason}${outcome.lostTotal > 1 ? '; …' : ''})`;
  return `${kept}${skipped}${lost}`;
}
