import { describe, expect, it } from 'vitest';
import { parseRegistryLocation, registryHost } from '../../src/config/registry-location.js';

describe('parseRegistryLocation', () => {
  it.each([
    ['myregistry.azurecr.io', { kind: 'registry', host: 'myregistry.azurecr.io', scheme: 'https' }],
    ['https://myregistry.azurecr.io/', { kind: 'registry', host: 'myregistry.azurecr.io', scheme: 'https' }],
    ['http://127.0.0.1:5000', { kind: 'registry', host: '127.0.0.1:5000', scheme: 'http' }],
    ['localhost:5000', { kind: 'registry', host: 'localhost:5000', scheme: 'http' }],
    ['[::1]:5000', { kind: 'registry', host: '[::1]:5000', scheme: 'http' }],
    ['oci-layout:./.basewatch/mirror', { kind: 'oci-layout', path: './.basewatch/mirror' }],
  ])('%s', (url, expected) => {
    expect(parseRegistryLocation(url)).toEqual(expected);
  });

  it.each(['ftp://x', 'oci-layout:', 'http://host/path', 'bad host'])('rejects %s', (url) => {
    expect(() => parseRegistryLocation(url)).toThrow();
  });
});

describe('parseRegistryLocation explains what it refuses', () => {
  it('an empty layout directory', () => {
    expect(() => parseRegistryLocation('oci-layout:')).toThrow(
      "oci-layout: needs a directory, e.g. 'oci-layout:./.basewatch/mirror'",
    );
  });

  it.each(['ftp://x', 'http://host/path', 'bad host', 'https://', 'https://-bad-.example'])(
    '%s is no registry',
    (url) => {
      expect(() => parseRegistryLocation(url)).toThrow(
        `'${url}' is not a registry host, http(s)://host[:port] or oci-layout:PATH`,
      );
    },
  );
});

describe('registryHost', () => {
  it('is the host of a registry and nothing for a layout, which has no host to prefix', () => {
    expect(registryHost(parseRegistryLocation('http://127.0.0.1:5000'))).toBe('127.0.0.1:5000');
    expect(registryHost(parseRegistryLocation('oci-layout:./mirror'))).toBeUndefined();
  });
});
