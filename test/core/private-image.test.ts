import { describe, expect, it } from 'vitest';
import { discoveredEdges } from '../../src/core/base-discovery.js';
import { isPrivateKey, parsePrivateReference, privateImageKey } from '../../src/core/private-image.js';

const D = `sha256:${'b'.repeat(64)}`;

describe('privateImageKey', () => {
  it.each([
    ['base/node:20-alpine', undefined, 'base/node:20-alpine'],
    ['node', undefined, 'node:latest'],
    ['myregistry.azurecr.io/base/node:20-alpine', 'myregistry.azurecr.io', 'base/node:20-alpine'],
    ['127.0.0.1:5000/apps/a:1', '127.0.0.1:5000', 'apps/a:1'],
    ['docker.io/library/node:20', 'myregistry.azurecr.io', 'docker.io/library/node:20'],
    ['other.azurecr.io/base/node:20', 'myregistry.azurecr.io', 'other.azurecr.io/base/node:20'],
    [`apps/a@${D}`, undefined, `apps/a@${D}`],
  ])('%s (host %s) → %s', (ref, host, key) => {
    expect(privateImageKey(ref, host)).toBe(key);
  });

  it('reports the reference as written, not the placeholder used to parse it', () => {
    expect(() => privateImageKey('Base/Node')).toThrow(
      "invalid image reference 'Base/Node': repository 'Base/Node' must be lower case",
    );
  });

  it('tells private keys from foreign references', () => {
    expect(isPrivateKey('base/node:20')).toBe(true);
    expect(isPrivateKey('docker.io/library/node:20')).toBe(false);
    expect(parsePrivateReference('base/node', undefined, { defaultTag: false })).toEqual({
      repository: 'base/node',
      key: 'base/node',
    });
  });
});

describe('discoveredEdges', () => {
  it('turns annotation and ACR task references into graph keys, dropping a digest beside a tag', () => {
    expect(
      discoveredEdges(
        [
          { app: 'a', base: `myregistry.azurecr.io/base/node:20-alpine@${D}`, source: 'annotation' },
          { app: 'b', base: 'myregistry.azurecr.io/apps/a:1', source: 'acr-task' },
          { app: 'c', base: `myregistry.azurecr.io/base/node@${D}`, source: 'annotation' },
        ],
        'myregistry.azurecr.io',
      ),
    ).toEqual([
      { app: 'a', base: 'base/node:20-alpine', source: 'annotation' },
      { app: 'b', base: 'apps/a:1', source: 'acr-task' },
      { app: 'c', base: `base/node@${D}`, source: 'annotation' },
    ]);
  });
});
