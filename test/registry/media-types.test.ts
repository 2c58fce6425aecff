import { describe, expect, it } from 'vitest';
import { isIndex } from '../../src/registry/manifest.js';
import { isIndexMediaType, MANIFEST_ACCEPT } from '../../src/registry/media-types.js';

describe('manifest media types', () => {
  it.each([
    ['application/vnd.oci.image.index.v1+json', true],
    ['application/vnd.docker.distribution.manifest.list.v2+json', true],
    ['application/vnd.oci.image.manifest.v1+json', false],
    ['application/vnd.docker.distribution.manifest.v2+json', false],
    ['application/json', false],
    [undefined, false],
  ])('%s is an index: %s', (mediaType, index) => {
    expect(isIndexMediaType(mediaType)).toBe(index);
  });

  it('the Accept list names all four manifest types (Distribution refuses a GET that lacks the stored one)', () => {
    expect(MANIFEST_ACCEPT).toBe(
      'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, ' +
        'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    );
  });

  it('a manifest with a manifests list is an index, one with layers is an image', () => {
    expect(isIndex({ schemaVersion: 2, manifests: [] })).toBe(true);
    expect(
      isIndex({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:0', size: 2 },
        layers: [],
      }),
    ).toBe(false);
  });
});
