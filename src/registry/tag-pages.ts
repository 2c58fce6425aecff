// A repository's tag list, page by page: the registry's Link header is followed only on the
// registry's own origin, never to the same page twice, and only so far.

import { repositoryScope } from './auth.js';
import { describeUntrusted } from './digest-check.js';
import { type RegistryCall, RegistryError } from './errors.js';
import { firstHeader } from './headers.js';
import type { HttpRequest, HttpResponse } from './http.js';

/** What reading tag pages needs of a registry client (the DistributionClient is one). */
export interface TagPageClient {
  baseUrl(registry: string): string;
  sendForBytes(
    call: RegistryCall,
    req: HttpRequest,
    maxBytes: number,
  ): Promise<HttpResponse & { bytes: Buffer }>;
  failureFromBytes(call: RegistryCall, response: HttpResponse, bytes: Buffer): RegistryError;
}

/** Pages followed at most: 1,000 pages of 1,000 tags is more than any real repository holds. */
export const MAX_TAG_PAGES = 1000;
const MAX_TAG_PAGE_BYTES = 16 * 1024 * 1024;
/** All pages together: a few million tags, and a bound on the memory a list can take. */
const MAX_TAG_LIST_BYTES = 64 * 1024 * 1024;

export interface TagListing {
  readonly registry: string;
  readonly repository: string;
  readonly pageSize: number;
  readonly maxPages: number;
}

/** Every tag the registry lists; a Link off its origin, a page seen before or page maxPages + 1 is PAGINATION_INVALID. */
export async function listTagPages(client: TagPageClient, listing: TagListing): Promise<string[]> {
  const { registry, repository } = listing;
  const call: RegistryCall = {
    operation: 'list tags',
    registry,
    repository,
    notFound: 'NAME_UNKNOWN',
    scopes: [repositoryScope(repository, 'pull')],
  };
  const refuse = (detail: string) => new RegistryError({ ...call, code: 'PAGINATION_INVALID', detail });
  const origin = new URL(client.baseUrl(registry)).origin;
  const seen = new Set<string>();
  const tags: string[] = [];
  let listBytes = 0;
  let next: string | undefined = new URL(
    `${client.baseUrl(registry)}/v2/${repository}/tags/list?n=${listing.pageSize}`,
  ).href;
  while (next) {
    if (seen.size >= listing.maxPages) {
      throw refuse(`the tag list goes on past ${listing.maxPages} pages; not followed further`);
    }
    if (listBytes >= MAX_TAG_LIST_BYTES) {
      throw refuse(`the tag list goes on past ${MAX_TAG_LIST_BYTES} bytes; not followed further`);
    }
    seen.add(next);
    const response = await client.sendForBytes(
      call,
      { method: 'GET', url: next, headers: { accept: 'application/json' } },
      Math.min(MAX_TAG_PAGE_BYTES, MAX_TAG_LIST_BYTES - listBytes),
    );
    listBytes += response.bytes.length;
    if (response.status !== 200) throw client.failureFromBytes(call, response, response.bytes);
    tags.push(...pageTags(response.bytes, call, seen.size));
    let link: string | undefined;
    try {
      link = nextLink(firstHeader(response.headers, 'link'), next);
    } catch {
      throw refuse(`page ${seen.size} links its next page to something that is not a URL`);
    }
    if (link === undefined) break;
    const url = new URL(link);
    if (url.origin !== origin || url.username !== '' || url.password !== '') {
      throw refuse(
        `page ${seen.size} links its next page to ${describeUntrusted(`${url.protocol}//${url.host}`)}, off the registry's origin ${origin}; not followed`,
      );
    }
    if (seen.has(url.href)) {
      throw refuse(`page ${seen.size} links back to a page already read (${url.pathname}); not followed`);
    }
    next = url.href;
  }
  return tags;
}

/** The `tags` of one page: a list of strings (absent or null for none), else UNEXPECTED. */
function pageTags(bytes: Buffer, call: RegistryCall, page: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const list = typeof parsed === 'object' && parsed !== null ? (parsed as { tags?: unknown }).tags : [0];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || !list.every((tag) => typeof tag === 'string')) {
    throw new RegistryError({
      ...call,
      code: 'UNEXPECTED',
      detail: `page ${page} of the tag list is not {"tags": [strings]}`,
    });
  }
  return list;
}

/** The `rel="next"` target of a Link header, resolved against the page it came from. */
export function nextLink(link: string | undefined, current: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return new URL(match[1]!, current).href;
  }
  return undefined;
}
