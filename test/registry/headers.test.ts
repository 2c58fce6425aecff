import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../src/registry/auth.js';
import { DistributionClient, nextLink } from '../../src/registry/distribution-client.js';
import { parseRateLimit, parseRetryAfter } from '../../src/registry/rate-limit.js';
import { isLoopbackHost, registryBaseUrl } from '../../src/registry/registry-url.js';

describe('rate-limit headers', () => {
  it('reads Docker Hub style limits with their window', () => {
    expect(parseRateLimit({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' })).toEqual(
      {
        limit: 100,
        remaining: 76,
        windowSeconds: 21600,
      },
    );
  });
  it('no headers means no limit applies', () => {
    expect(parseRateLimit({})).toBeUndefined();
  });
  it('ignores a remaining count that is not a number', () => {
    expect(parseRateLimit({ 'ratelimit-remaining': 'lots' })).toBeUndefined();
  });
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter({ 'retry-after': '7' })).toBe(7);
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(parseRetryAfter({ 'retry-after': 'Fri, 27 Nov 2026 12:00:30 GMT' }, now)).toBe(30);
    expect(parseRetryAfter({})).toBeUndefined();
  });
});

describe('WWW-Authenticate challenges', () => {
  it('parses a Docker Hub Bearer challenge', () => {
    expect(
      parseChallenges(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/node:pull',
        },
      },
    ]);
  });
  it('parses Basic with a realm, and quoted commas', () => {
    expect(parseChallenges('Basic realm="a, b"')).toEqual([{ scheme: 'basic', params: { realm: 'a, b' } }]);
  });
  it('parses several challenges in one header', () => {
    const parsed = parseChallenges('Basic realm="x", Bearer realm="https://t/token",service=reg');
    expect(parsed.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(parsed[1]!.params).toEqual({ realm: 'https://t/token', service: 'reg' });
  });
});

describe('tag list pagination', () => {
  it('follows a relative Link with rel="next"', () => {
    expect(
      nextLink(
        '</v2/base/node/tags/list?last=b&n=2>; rel="next"',
        'http://127.0.0.1:5000/v2/base/node/tags/list?n=2',
      ),
    ).toBe('http://127.0.0.1:5000/v2/base/node/tags/list?last=b&n=2');
  });
  it('stops when there is no next page', () => {
    expect(nextLink(undefined, 'http://x/')).toBeUndefined();
    expect(nextLink('<http://x/a>; rel="prev"', 'http://x/')).toBeUndefined();
  });
});

describe('transport', () => {
  it.each([
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.8.9.10', true],
    ['[::1]:5000', true],
    ['myregistry.azurecr.io', false],
    ['128.0.0.1:5000', false],
  ])('%s loopback=%s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
    expect(registryBaseUrl(host).startsWith(loopback ? 'http://' : 'https://')).toBe(true);
  });
  it('a host the config names with http:// is reached over plain HTTP even off loopback', () => {
    expect(registryBaseUrl('registry.internal:5000', new Set(['registry.internal:5000']))).toBe(
      'http://registry.internal:5000',
    );
    expect(registryBaseUrl('other.internal:5000', new Set(['registry.internal:5000']))).toBe(
      'https://other.internal:5000',
    );
    const client = new DistributionClient({ plainHttpHosts: new Set(['registry.internal:5000']) });
    expect(client.baseUrl('registry.internal:5000')).toBe('http://registry.internal:5000');
    expect(client.baseUrl('myregistry.azurecr.io')).toBe('https://myregistry.azurecr.io');
  });

  it('Docker Hub is reached at registry-1.docker.io', () => {
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
  });
});
