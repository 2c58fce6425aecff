// One write of a blob into one repository at a time. CNCF Distribution rewrites a repository's blob
// link in place (truncate, then write) on every upload of that blob, so a second upload racing the
// first makes a concurrent manifest PUT or HEAD read a half-written link: `BLOB_UNKNOWN`,
// `DIGEST_INVALID` or a 500. Imports of several tags of one repository share layers, so they would.
// A manifest's link is rewritten the same way by every PUT of it (under any tag), so manifest writes
// of a copy take the same slots. The key is what the registry sees (its location, the repository,
// the digest), not the store object: two store objects talking to one registry still race there.

export interface BlobSlot {
  /** The store's `location`, e.g. `registry 127.0.0.1:5000`. */
  readonly location: string;
  readonly repository: string;
  readonly digest: string;
}

const inFlight = new Map<string, Promise<unknown>>();

/**
 * Runs `write` once every earlier write for the same slot has settled (whatever its outcome), so the
 * later one finds the blob present instead of uploading it again. Slots are dropped once idle.
 */
export async function oneWriteAtATime<T>(slot: BlobSlot, write: () => Promise<T>): Promise<T> {
  const key = `${slot.location}\n${slot.repository}\n${slot.digest}`;
  const before = inFlight.get(key) ?? Promise.resolve();
  const mine = before.then(() => write());
  const settled = mine.catch(() => undefined);
  inFlight.set(key, settled);
  try {
    return await mine;
  } finally {
    if (inFlight.get(key) === settled) inFlight.delete(key);
  }
}

/** Slots with a write running or waiting (for tests: nothing stays behind once writes settle). */
export function busySlots(): number {
  return inFlight.size;
}
