// The Importer port: make the private copy of an upstream image at an exact digest.
import type { ReferrerPolicy, ReferrersOutcome } from './referrers.js';

export interface ImportRequest {
  /** Upstream reference pinned by digest, e.g. `docker.io/library/node@sha256:…`. */
  readonly source: string;
  /** The private copy, `repository:tag` inside the private registry, e.g. `base/node:20-alpine`. */
  readonly target: string;
  /** `all` (default) keeps the index as it is, so the copy's digest equals upstream's. */
  readonly platforms?: 'all' | readonly string[];
  /** Signatures, SBOMs and attestations copied too (default all). */
  readonly referrers?: ReferrerPolicy;
}

export interface ImportResult {
  /** The digest the target tag points at after the import. */
  readonly digest: string;
  /** False when a platform filter wrote a new index, whose digest differs from upstream. */
  readonly sameDigestAsSource: boolean;
  /** What happened to the image's attachments; absent when the importer cannot tell (it kept none it knows of). */
  readonly referrers?: ReferrersOutcome;
}

export interface Importer {
  /** Copies and verifies; on failure the target tag is left where it was. Credentials are resolved inside. */
  importImage(request: ImportRequest): Promise<ImportResult>;
}
