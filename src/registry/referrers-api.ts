// The OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`): the attachments a registry
// indexed by their `subject`. Its answer is untrusted: shape, size, count and pages are bounded.
import { repositoryScope } from './auth.js';
import { describeUntrusted, requireDigest } from './digest-check.js';
import { type RegistryCall, RegistryError } from './errors.js';
import { firstHeader } from './headers.js';
import type { ImageStore } from './image-store.js';
import type { Descriptor } from './manifest.js';
import { OCI_INDEX } from './media-types.js';
import { RegistryStore } from './registry-store.js';
import { nextLink } from './tag-pages.js';

/** Referrers of one manifest we read at most; an image with more is refused as hostile. */
export const MAX_REFERRERS = 256;
const MAX_REFERRER_PAGE_BYTES = 4 * 1024 * 1024;
const MAX_REFERRER_PAGES = 16;
const NO_API = new Set([400, 404, 405, 501]);

/**
 * The referrers the store's API lists for `digest`, or undefined when the store has no referrers
 * API (an OCI layout, or a registry answering 404 as the spec says one without it does).
 */
export async function queryReferrersApi(
  store: ImageStore,
  repository: string,
  digest: string,
): Promise<Descriptor[] | undefined> {
  if (!(store instanceof RegistryStore)) return undefined;
  const { client, registry } = store;
  const call: RegistryCall = {
    operation: 'list referrers',
    registry,
    repository,
    reference: digest,
    notFound: 'NAME_UNKNOWN',
    scopes: [repositoryScope(repository, 'pull')],
  };
  const refuse = (detail: string) => new RegistryError({ ...call, code: 'REFERRERS_INVALID', detail });
  const origin = new URL(client.baseUrl(registry)).origin;
  const found = new Map<string, Descriptor>();
  const seen = new Set<string>();
  let next: string | undefined = `${client.baseUrl(registry)}/v2/${repository}/referrers/${digest}`;
  while (next !== undefined) {
    if (seen.size >= MAX_REFERRER_PAGES) throw refuse(`the list goes on past ${MAX_REFERRER_PAGES} pages`);
    seen.add(next);
    const response = await client.sendForBytes(
      call,
      { method: 'GET', url: next, headers: { accept: OCI_INDEX } },
      MAX_REFERRER_PAGE_BYTES,
    );
    // A registry without the API does not know the route (404; some say 400, 405 or 501); one with it
    // must answer 200 for any valid digest.
    if (NO_API.has(response.status) && seen.size === 1) return undefined;
    if (response.status !== 200) throw client.failureFromBytes(call, response, response.bytes);
    for (const entry of pageEntries(response.bytes, call, seen.size)) {
      found.set(entry.digest, entry);
      if (found.size > MAX_REFERRERS) throw refuse(`more than ${MAX_REFERRERS} referrers are listed`);
    }
    const link = nextLink(firstHeader(response.headers, 'link'), next);
    if (link !== undefined && (new URL(link).origin !== origin || seen.has(link))) {
      throw refuse(
        `page ${seen.size} links to ${describeUntrusted(link)}, off the registry or back; not followed`,
      );
    }
    next = link;
  }
  return [...found.values()];
}

/** The descriptors of one page: an index whose every entry names a canonical digest and a size. */
function pageEntries(bytes: Buffer, call: RegistryCall, page: number): Descriptor[] {
  const refuse = (detail: string) =>
    new RegistryError({ ...call, code: 'REFERRERS_INVALID', detail: `page ${page}: ${detail}` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw refuse('not JSON');
  }
  const manifests = (parsed as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) throw refuse('not an image index with a manifests list');
  return manifests.map((entry: unknown, i) => descriptorOf(entry, `entry ${i + 1}`, call, refuse));
}

/** A referrer descriptor from untrusted JSON, with only the fields we use. */
export function descriptorOf(
  entry: unknown,
  what: string,
  site: RegistryCall,
  refuse: (detail: string) => Error,
): Descriptor {
  if (typeof entry !== 'object' || entry === null) throw refuse(`${what} is not a descriptor`);
  const raw = entry as Record<string, unknown>;
  const digest = requireDigest(raw.digest, `${what} names digest`, site);
  if (typeof raw.mediaType !== 'string' || raw.mediaType.length > 255)
    throw refuse(`${what} has no media type`);
  if (typeof raw.size !== 'number' || !Number.isSafeInteger(raw.size) || raw.size < 0) {
    throw refuse(`${what} has size ${describeUntrusted(String(raw.size))}, not a byte count`);
  }
  const artifactType = typeof raw.artifactType === 'string' ? raw.artifactType.slice(0, 255) : undefined;
  const annotations = stringRecord(raw.annotations);
  return {
    mediaType: raw.mediaType,
    digest,
    size: raw.size,
    ...(artifactType !== undefined && { artifactType }),
    ...(annotations !== undefined && { annotations }),
  };
}

/** Annotations kept only when they are a small map of strings. */
function stringRecord(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter(
    (pair): pair is [string, string] =>
      typeof pair[1] === 'string' && pair[0].length <= 255 && pair[1].length <= 4096,
  );
  return entries.length === 0 || entries.length > 64 ? undefined : Object.fromEntries(entries);
}
