// Keys for images in the private registry, the nodes of the dependency graph.
import { formatReference, type ImageReference, ImageReferenceError, parseReference } from './reference.js';

// Stands in for the private registry's host while parsing, so `base/node` is not read as Docker Hub.
const PRIVATE_HOST = 'private.invalid';

export interface PrivateImageReference extends Omit<ImageReference, 'registry'> {
  /** Set when the reference names another registry than the private one. */
  readonly registry?: string;
  /** `repository:tag`, or fully qualified for another registry; see privateImageKey. */
  readonly key: string;
}

/**
 * Parses a reference written relative to the private registry (`base/node:20-alpine`) or with its host
 * (`myregistry.azurecr.io/base/node:20-alpine`). One naming another registry stays fully qualified.
 * Throws ImageReferenceError when it does not parse.
 */
export function parsePrivateReference(
  ref: string,
  privateHost?: string,
  options: { defaultTag?: string | false } = {},
): PrivateImageReference {
  let relative = ref;
  if (privateHost !== undefined && ref.startsWith(`${privateHost}/`))
    relative = ref.slice(privateHost.length + 1);
  if (namesRegistry(relative)) {
    const parsed = parseReference(relative, options);
    return { ...parsed, key: formatReference(parsed) };
  }
  const { registry: _placeholder, ...parsed } = parsePlaceheld(ref, relative, options);
  return {
    ...parsed,
    key: formatReference({ registry: PRIVATE_HOST, ...parsed }).slice(PRIVATE_HOST.length + 1),
  };
}

/**
 * The graph key of an image: `repository:tag` (or `repository@digest`) relative to the private registry,
 * e.g. `base/node:20-alpine`; fully qualified (`docker.io/library/node:20`) for another registry. A missing
 * tag means `latest`, as in Docker.
 */
export function privateImageKey(ref: string, privateHost?: string): string {
  return parsePrivateReference(ref, privateHost).key;
}

/** True when a key names an image in the private registry (not a fully qualified foreign reference). */
export function isPrivateKey(key: string): boolean {
  return !namesRegistry(key);
}

// Docker's rule: a first path component with '.', ':' or `localhost` is a registry host.
function namesRegistry(ref: string): boolean {
  const slash = ref.indexOf('/');
  if (slash < 0) return false;
  const first = ref.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[');
}

function parsePlaceheld(
  ref: string,
  relative: string,
  options: { defaultTag?: string | false },
): ImageReference {
  try {
    return parseReference(`${PRIVATE_HOST}/${relative}`, options);
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error;
    // Re-issued for the text as written: the placeholder host must not show in messages.
    const detail = error.message.slice(error.message.indexOf("': ") + 3).replaceAll(`${PRIVATE_HOST}/`, '');
    throw new ImageReferenceError(ref, error.part, detail);
  }
}
