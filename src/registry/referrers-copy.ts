// Keeping what upstream attached to an image: every signature, SBOM and attestation of every
// manifest the copy holds goes along, found at the source the way the source offers them and
// attached at the target the way the target understands (referrers API, else the tag schema).
import pLimit from 'p-limit';
import {
  keepsReferrer,
  type ReferrerLink,
  type ReferrerPolicy,
  type ReferrersOutcome,
} from '../core/referrers.js';
import { isTransient } from '../core/transient.js';
import { copyImage } from './copy.js';
import { appendCosignLayers } from './cosign-tag-merge.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { isIndex } from './manifest.js';
import { readManifestTree } from './manifest-tree.js';
import { isAttestation } from './platform-filter.js';
import { attachToSubject } from './referrers-attach.js';
import { attachmentType, type FoundReferrer, findReferrers, ReferrersSupport } from './referrers-find.js';
import { OutcomeRecorder } from './referrers-outcome.js';

export interface ReferrersEndpoint {
  readonly store: ImageStore;
  readonly repository: string;
}

export interface ImageReferrersCopy {
  readonly policy: ReferrerPolicy;
  /** What the target tag points at after the image copy. */
  readonly digest: string;
  /** The source's root: differs from `digest` when a platform filter wrote a new index. */
  readonly sourceDigest: string;
}

/** Attachments of attachments (a signature on an SBOM) are followed this deep, no deeper. */
export const MAX_REFERRER_DEPTH = 2;
/** Attachments one copy carries at most; the rest are reported lost. */
export const MAX_REFERRERS_PER_COPY = 1024;
const SUBJECTS_AT_ONCE = 4;

/**
 * Copies the attachments of every manifest of the copied image (its root and every child). A
 * failure a retry may cure is thrown; any other leaves the image copy standing and is reported in
 * `lost`, so a copy that cannot keep its attachments says so instead of failing silently.
 */
export async function copyImageReferrers(
  source: ReferrersEndpoint,
  target: ReferrersEndpoint,
  copy: ImageReferrersCopy,
): Promise<ReferrersOutcome> {
  const outcome = new OutcomeRecorder(copy.policy);
  if (copy.policy === 'none') return outcome.result();
  const root = await target.store.getManifest({ repository: target.repository, digest: copy.digest });
  const tree = await readManifestTree(target.store, target.repository, root);
  const subjects = new Set<string>();
  // Docker's in-index attestations are attachments themselves: nothing is attached to them.
  const attestations = new Set<string>();
  const visit = (node: typeof tree) => {
    subjects.add(node.stored.digest);
    if (isIndex(node.stored.manifest)) {
      for (const entry of node.stored.manifest.manifests)
        if (isAttestation(entry)) attestations.add(entry.digest);
    }
    for (const child of node.children) visit(child);
  };
  visit(tree);
  for (const digest of attestations) subjects.delete(digest);
  const support = new ReferrersSupport();
  if (copy.sourceDigest !== copy.digest) {
    // A filtered index has a digest of its own, and upstream's signature names upstream's index: it
    // is kept beside the copy under upstream's digest, where the signature check looks for it.
    subjects.delete(copy.digest);
    subjects.add(copy.sourceDigest);
  }
  const copier = new ReferrerCopier(source, target, copy.policy, support, outcome);
  await copier.copyAll([...subjects], 0);
  return outcome.result();
}

class ReferrerCopier {
  private readonly limit = pLimit(SUBJECTS_AT_ONCE);
  private readonly done = new Set<string>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly source: ReferrersEndpoint,
    private readonly target: ReferrersEndpoint,
    private readonly policy: ReferrerPolicy,
    private readonly support: ReferrersSupport,
    private readonly outcome: OutcomeRecorder,
  ) {}

  async copyAll(subjects: readonly string[], depth: number): Promise<void> {
    const fresh = subjects.filter((subject) => !this.done.has(subject));
    for (const subject of fresh) this.done.add(subject);
    const next = await Promise.all(fresh.map((subject) => this.limit(() => this.copyOf(subject))));
    if (depth + 1 < MAX_REFERRER_DEPTH) await this.copyAll(next.flat(), depth + 1);
  }

  /** Copies the attachments of one subject; returns their digests, whose own attachments come next. */
  private async copyOf(subject: string): Promise<string[]> {
    let found: FoundReferrer[];
    try {
      found = await findReferrers(this.source.store, this.source.repository, subject, this.support);
    } catch (error) {
      if (isTransient(error)) throw error;
      this.lose(subject, (error as Error).message);
      return [];
    }
    const copied: string[] = [];
    for (const referrer of found) {
      // A list may name an attachment under several subjects, or name the subject itself: each once.
      const key = `${referrer.descriptor.digest}${referrer.tag ?? ''}`;
      if (referrer.descriptor.digest === subject || this.seen.has(key)) continue;
      this.seen.add(key);
      if (this.outcome.copiedTotal >= MAX_REFERRERS_PER_COPY) {
        this.lose(
          subject,
          `more than ${MAX_REFERRERS_PER_COPY} attachments in one copy; the rest were not copied`,
        );
        break;
      }
      try {
        if (await this.copyOne(subject, referrer)) copied.push(referrer.descriptor.digest);
      } catch (error) {
        if (isTransient(error)) throw error;
        this.lose(subject, `${referrer.tag ?? referrer.descriptor.digest}: ${(error as Error).message}`);
      }
    }
    return copied;
  }

  private async copyOne(subject: string, referrer: FoundReferrer): Promise<boolean> {
    const { repository } = this.source;
    const digest = referrer.descriptor.digest;
    const targetRef =
      referrer.tag !== undefined
        ? { repository: this.target.repository, tag: referrer.tag }
        : { repository: this.target.repository, digest };
    const held = await this.target.store.headManifest(targetRef);
    // Already here: read from our own registry, not pulled from upstream again.
    const stored =
      held?.digest === digest
        ? await this.target.store.getManifest({ repository: this.target.repository, digest })
        : await this.source.store.getManifest({ repository, digest });
    // A list is the registry's word: an attachment must itself name the subject it is listed under.
    const named = (stored.manifest as { subject?: { digest?: unknown } }).subject?.digest;
    if (referrer.tag === undefined && named !== subject) {
      throw new Error(
        `${digest} is listed as a referrer of ${subject} but names ${typeof named === 'string' ? named : 'no subject'}; not copied`,
      );
    }
    const artifactType = attachmentType(stored.manifest);
    if (!keepsReferrer(this.policy, artifactType)) {
      this.outcome.skip();
      return false;
    }
    if (held !== undefined && held.digest !== digest && referrer.tag?.endsWith('.sbom')) {
      throw new Error(
        `the private registry already holds a different ${referrer.tag}; it was kept and upstream's not copied`,
      );
    }
    if (held?.digest !== digest) {
      const copyTo =
        held !== undefined && referrer.tag !== undefined
          ? { repository: this.target.repository, digest }
          : targetRef;
      await copyImage(
        { store: this.source.store, ref: { repository, digest } },
        { store: this.target.store, ref: copyTo },
      );
      if (copyTo !== targetRef) await this.mergeIntoHeldTag(referrer.tag!, stored);
    }
    const attachedBy: ReferrerLink =
      referrer.tag !== undefined
        ? 'cosign-tag'
        : await attachToSubject(this.target, subject, stored, this.support);
    this.outcome.copy({
      subject,
      digest,
      artifactType,
      ...(referrer.tag !== undefined && { tag: referrer.tag }),
      foundBy: referrer.foundBy,
      attachedBy,
    });
    return true;
  }

  /** A cosign signature or attestation tag that holds something else here: upstream's layers are appended. */
  private async mergeIntoHeldTag(tag: string, upstream: StoredManifest): Promise<void> {
    const held = await this.target.store.getManifest({ repository: this.target.repository, tag });
    await appendCosignLayers(this.target, tag, held, upstream);
  }

  private lose(subject: string, reason: string): void {
    this.outcome.lose(subject, reason);
  }
}
