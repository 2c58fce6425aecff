// Image references, parsed and normalised as Docker does (distribution/reference grammar).

export const DOCKER_HUB = 'docker.io';
const MAX_NAME_LENGTH = 255;

/** A fully qualified image reference: registry host, repository, and a tag, a digest, or both. */
export interface ImageReference {
  /** Registry host with optional port, e.g. `docker.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/node`. */
  readonly repository: string;
  readonly tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…`. */
  readonly digest?: string;
}

export type ReferencePart = 'reference' | 'registry' | 'repository' | 'tag' | 'digest';

/** A reference that does not parse; `part` says which piece was wrong. */
export class ImageReferenceError extends Error {
  constructor(
    readonly input: string,
    readonly part: ReferencePart,
    detail: string,
  ) {
    super(`invalid image reference '${input}': ${detail}`);
    this.name = 'ImageReferenceError';
  }
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const REGISTRY_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
/** The two digest forms OCI registers; anything else never reaches a URL, a path or state. */
const DIGEST_RE = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** True for `sha256:` + 64 or `sha512:` + 128 lower-case hex characters, and nothing else. */
export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/**
 * Parses `ref` as Docker does: `node` → `docker.io/library/node:latest`, `host:port/repo:tag`,
 * `repo:tag@sha256:…`. Throws ImageReferenceError naming the part that is wrong.
 */
export function parseReference(ref: string, options: { defaultTag?: string | false } = {}): ImageReference {
  if (ref.length === 0) throw new ImageReferenceError(ref, 'reference', 'reference is empty');
  if (/\s/.test(ref)) throw new ImageReferenceError(ref, 'reference', 'reference contains whitespace');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) {
      throw new ImageReferenceError(
        ref,
        'digest',
        `digest '${digest}' must be sha256: and 64, or sha512: and 128, lower-case hex characters`,
      );
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw new ImageReferenceError(
        ref,
        'tag',
        `tag '${tag}' must be 1–128 characters of letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
      );
    }
  }
  if (rest.length === 0) throw new ImageReferenceError(ref, 'repository', 'repository name is empty');

  let registry = DOCKER_HUB;
  let repository = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      registry = first;
      repository = rest.slice(firstSlash + 1);
      if (!REGISTRY_RE.test(registry)) {
        throw new ImageReferenceError(ref, 'registry', `registry '${registry}' is not a valid host[:port]`);
      }
    }
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  if (repository !== repository.toLowerCase()) {
    throw new ImageReferenceError(ref, 'repository', `repository '${repository}' must be lower case`);
  }
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) {
      throw new ImageReferenceError(
        ref,
        'repository',
        `repository component '${component}' must be lower-case letters and digits, separated by '.', '_', '__' or '-'`,
      );
    }
  }
  const nameLength = registry.length + 1 + repository.length;
  if (nameLength > MAX_NAME_LENGTH) {
    throw new ImageReferenceError(
      ref,
      'repository',
      `name '${registry}/${repository}' is ${nameLength} characters, more than ${MAX_NAME_LENGTH}`,
    );
  }

  const defaultTag = options.defaultTag ?? 'latest';
  if (tag === undefined && digest === undefined && defaultTag !== false) tag = defaultTag;
  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** The canonical string: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  let out = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

/** The tag or digest a manifest request names; a digest wins when both are present. */
export function manifestSelector(ref: ImageReference): string {
  const selector = ref.digest ?? ref.tag;
  if (selector === undefined) throw new ImageReferenceError(formatReference(ref), 'tag', 'no tag or digest');
  return selector;
}
