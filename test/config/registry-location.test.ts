import { describe, expect, it } from 'vitest';
import { parseRegistryLocation } from '../../src/config/registry-location.js';

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
