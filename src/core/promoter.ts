// The Promoter port: point a tag of the private registry at a digest the registry already holds, in the
// same or another repository (quarantine → target on promotion, target → target on rollback).

export interface PromoteRequest {
  /** Where the digest is held now. */
  readonly from: { readonly repository: string; readonly digest: string };
  readonly to: { readonly repository: string; readonly tag: string };
  /**
   * A kept tag is immutable: when `to` already points at another digest the promotion fails and
   * nothing is written (the same digest is success, so a retried promotion is harmless).
   */
  readonly immutable?: boolean;
}

export interface Promoter {
  /** Moves the tag; resolves once the registry says it points at `from.digest`. */
  promote(request: PromoteRequest): Promise<void>;
}

/** A kept tag already points at a different digest: writing it would lose what it keeps. */
export class ImmutableTagError extends Error {
  readonly transient = false;
  constructor(
    readonly tag: string,
    readonly holds: string,
    readonly wanted: string,
  ) {
    super(`tag ${tag} already keeps ${holds}; it is not moved to ${wanted}`);
    this.name = 'ImmutableTagError';
  }
}
