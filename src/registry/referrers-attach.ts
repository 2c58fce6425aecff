// Making a copied attachment findable from its subject at the target: a registry with the referrers
// API indexes it from the manifest's `subject` as it is stored; anywhere else it joins the OCI tag
// schema's index under `sha256-<hex>` of the subject.
import type { ReferrerLink } from '../core/referrers.js';
import type { ImageStore, StoredManifest } from './image-store.js';
import { type Descriptor, isIndex } from './manifest.js';
import { OCI_INDEX } from './media-types.js';
import { referrersTag } from './referrer-tags.js';
import { type ReferrersSupport, referrerEntries } from './referrers-find.js';

export interface AttachTarget {
  readonly store: ImageStore;
  readonly repository: string;
}

/**
 * Attaches an attachment already copied by digest to `subject`. Entries of the index tag written by
 * others are kept as they are. Two copies adding to one subject's index at the same instant may
 * lose one entry (a registry has no compare-and-swap on tags); the next sync adds it again.
 */
export async function attachToSubject(
  target: AttachTarget,
  subject: string,
  attachment: StoredManifest,
  support: ReferrersSupport,
): Promise<ReferrerLink> {
  if (subjectOf(attachment) === subject) {
    const listed = await support.query(target.store, target.repository, subject);
    if (listed?.some((entry) => entry.digest === attachment.digest)) return 'referrers-api';
  }
  await addToIndexTag(target, subject, attachment);
  return 'tag-schema';
}

async function addToIndexTag(
  target: AttachTarget,
  subject: string,
  attachment: StoredManifest,
): Promise<void> {
  const { store, repository } = target;
  const tag = referrersTag(subject);
  const existing = (await store.headManifest({ repository, tag }))
    ? await store.getManifest({ repository, tag })
    : undefined;
  // Checked for shape and bounds before anything of it is written back.
  if (existing !== undefined) referrerEntries(existing, store, repository, tag);
  const entries = existing !== undefined && isIndex(existing.manifest) ? existing.manifest.manifests : [];
  if (entries.some((entry) => entry.digest === attachment.digest)) return;
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...entries, referrerDescriptor(attachment)],
  };
  await store.putManifest({ repository, tag }, Buffer.from(JSON.stringify(index)), OCI_INDEX);
}

/** The descriptor the distribution spec lists for a referrer: its artifactType (else config type) and annotations. */
export function referrerDescriptor(attachment: StoredManifest): Descriptor {
  const manifest = attachment.manifest;
  const declared = (manifest as { artifactType?: unknown }).artifactType;
  const artifactType =
    typeof declared === 'string' ? declared : isIndex(manifest) ? undefined : manifest.config.mediaType;
  return {
    mediaType: attachment.mediaType,
    digest: attachment.digest,
    size: attachment.size,
    ...(artifactType !== undefined && { artifactType }),
    ...(manifest.annotations !== undefined && { annotations: manifest.annotations }),
  };
}

function subjectOf(attachment: StoredManifest): string | undefined {
  const subject = (attachment.manifest as { subject?: { digest?: unknown } }).subject?.digest;
  return typeof subject === 'string' ? subject : undefined;
}
