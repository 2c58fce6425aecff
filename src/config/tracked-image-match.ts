// Which tracked images a reference names: a target key (`base/node:20`), a target repository, or an upstream
// source with or without a tag. Sync requests (API and CLI) and the cycle that runs them share this rule.

import { parseReference } from '../core/reference.js';
import type { TrackedImageConfig } from './types.js';

/** Images that `wanted` names: a target key (`base/node:20`), a target repository, or a source with or without a tag. */
export function trackedImagesNamed(
  images: readonly TrackedImageConfig[],
  wanted: string,
): TrackedImageConfig[] {
  return images.filter((image) => names(image, wanted));
}

function names(image: TrackedImageConfig, wanted: string): boolean {
  const [repository, tag] = splitTag(wanted);
  if (repository === image.target || repository === image.source)
    return tag === undefined || selects(image, tag);
  try {
    const ref = parseReference(wanted);
    return (
      `${ref.registry}/${ref.repository}` === image.source &&
      (ref.tag === undefined || selects(image, ref.tag))
    );
  } catch {
    return false;
  }
}

// A policy selects tags only when a sync lists them upstream, so any tag may be meant.
function selects(image: TrackedImageConfig, tag: string): boolean {
  return !('tags' in image.selection) || image.selection.tags.includes(tag);
}

function splitTag(key: string): [string, string | undefined] {
  const colon = key.lastIndexOf(':');
  return colon > key.lastIndexOf('/') ? [key.slice(0, colon), key.slice(colon + 1)] : [key, undefined];
}
