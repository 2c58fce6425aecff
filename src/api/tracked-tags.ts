// The tags each tracked image stands for: the config's exact tags, or those a tag policy selected as the
// state last recorded them (only a sync, which lists upstream tags, can resolve a policy).
import type { TrackedImageConfig } from '../config/types.js';
import type { TrackedImageState } from '../core/state.js';

export interface TrackedTagRecord {
  readonly image: TrackedImageConfig;
  /** Undefined for a policy no sync has resolved yet. */
  readonly tag?: string;
  readonly state?: TrackedImageState;
}

export function trackedTags(
  images: readonly TrackedImageConfig[],
  states: readonly TrackedImageState[],
): TrackedTagRecord[] {
  const byTarget = new Map(states.map((state) => [state.target, state]));
  return images.flatMap((image): TrackedTagRecord[] => {
    if ('tags' in image.selection) {
      return image.selection.tags.map((tag) => {
        const state = byTarget.get(`${image.target}:${tag}`);
        return { image, tag, ...(state && { state }) };
      });
    }
    const resolved = states.flatMap((state) => {
      const [repository, tag] = splitTag(state.target);
      return repository === image.target && tag !== undefined ? [{ image, tag, state }] : [];
    });
    return resolved.length > 0 ? resolved : [{ image }];
  });
}

/** Graph keys of the copies tag policies selected, for loadDependencyGraph's `resolvedTrackedImages`. */
export function policySelectedTargets(
  images: readonly TrackedImageConfig[],
  states: readonly TrackedImageState[],
): string[] {
  return trackedTags(
    images.filter((image) => 'tagPolicy' in image.selection),
    states,
  ).flatMap((record) => (record.tag === undefined ? [] : [`${record.image.target}:${record.tag}`]));
}

// Target keys are written `repository:tag` by the sync; a digest-pinned key has no tag to split.
function splitTag(key: string): [string, string | undefined] {
  if (key.includes('@')) return [key, undefined];
  const colon = key.lastIndexOf(':');
  return colon > key.lastIndexOf('/') ? [key.slice(0, colon), key.slice(colon + 1)] : [key, undefined];
}
