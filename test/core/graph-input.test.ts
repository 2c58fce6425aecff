import { describe, expect, it } from 'vitest';
import { discoveredEdges } from '../../src/core/base-discovery.js';
import { buildGraph, DependencyCycleError, type GraphApp, GraphInputError } from '../../src/core/graph.js';
import { parsePlatform } from '../../src/core/platform.js';
import { parsePrivateReference, privateImageKey } from '../../src/core/private-image.js';
import { ImageReferenceError, isDigest, manifestSelector, parseReference } from '../../src/core/reference.js';

const app = (name: string): GraphApp => ({ name, image: `apps/${name}:1`, team: 't' });
const D = `sha256:${'c'.repeat(64)}`;

describe('buildGraph refuses input that cannot form a graph', () => {
  it('an app listed twice', () => {
    expect(() => buildGraph({ apps: [app('a'), app('a')], edges: [] })).toThrow(
      new GraphInputError("app 'a' is listed twice"),
    );
  });

  it('a base given for an app that does not exist, naming where the base came from', () => {
    const error = (() => {
      try {
        buildGraph({ apps: [app('a')], edges: [{ app: 'ghost', base: 'base/x:1', source: 'annotation' }] });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(GraphInputError);
    expect(error?.name).toBe('GraphInputError');
    expect(error?.message).toBe("base base/x:1 (from annotation) is given for unknown app 'ghost'");
  });

  it('a cycle, named from where it closes, without the apps that only lead into it', () => {
    // a-tail FROM b; b FROM c; c FROM b. a-tail sorts first but is not on the cycle.
    const error = (() => {
      try {
        buildGraph({
          apps: [app('a-tail'), app('b'), app('c')],
          edges: [
            { app: 'a-tail', base: 'apps/b:1', source: 'config' },
            { app: 'b', base: 'apps/c:1', source: 'config' },
            { app: 'c', base: 'apps/b:1', source: 'config' },
          ],
        });
      } catch (e) {
        return e as DependencyCycleError;
      }
    })();
    expect(error).toBeInstanceOf(DependencyCycleError);
    expect(error?.name).toBe('DependencyCycleError');
    expect(error?.cycle).toEqual(['b', 'c', 'b']);
    expect(error?.message).toBe(
      'dependency cycle (→ reads "is built FROM"): b (apps/b:1) → c (apps/c:1) → b (apps/b:1)',
    );
  });
});

describe('buildGraph images', () => {
  it('without tracked images: the app images and bases, sorted, none tracked', () => {
    const graph = buildGraph({
      apps: [app('z'), app('m')],
      edges: [{ app: 'z', base: 'base/b:1', source: 'config' }],
    });
    expect(graph.images).toEqual(['apps/m:1', 'apps/z:1', 'base/b:1']);
    expect(graph.tracked.size).toBe(0);
  });

  it('a tracked image nothing is built on is still a node', () => {
    const graph = buildGraph({ apps: [app('a')], edges: [], trackedImages: ['base/lonely:1'] });
    expect(graph.images).toEqual(['apps/a:1', 'base/lonely:1']);
    expect([...graph.tracked]).toEqual(['base/lonely:1']);
  });
});

describe('image references', () => {
  it('Docker Hub aliases become docker.io', () => {
    expect(parseReference('index.docker.io/library/node:20')).toStrictEqual({
      registry: 'docker.io',
      repository: 'library/node',
      tag: '20',
    });
    expect(parseReference('registry-1.docker.io/node')).toStrictEqual({
      registry: 'docker.io',
      repository: 'library/node',
      tag: 'latest',
    });
  });

  it('a dotted name without a slash is a Docker Hub repository, not a registry', () => {
    expect(parseReference('my.app')).toStrictEqual({
      registry: 'docker.io',
      repository: 'library/my.app',
      tag: 'latest',
    });
  });

  it('without a default tag, neither tag nor digest is set', () => {
    expect(parseReference('node', { defaultTag: false })).toStrictEqual({
      registry: 'docker.io',
      repository: 'library/node',
    });
    expect(parseReference(`node@${D}`)).toStrictEqual({
      registry: 'docker.io',
      repository: 'library/node',
      digest: D,
    });
  });

  it('a digest with nothing before it has an empty repository', () => {
    expect(() => parseReference(`@${D}`)).toThrow(
      expect.objectContaining({
        part: 'repository',
        message: `invalid image reference '@${D}': repository name is empty`,
      }),
    );
  });

  it('a name of 255 characters is accepted, one of 256 refused', () => {
    // docker.io (9) + '/' + library/ (8) + 237 = 255.
    expect(parseReference(`${'a'.repeat(237)}:1`).repository).toBe(`library/${'a'.repeat(237)}`);
    expect(() => parseReference(`${'a'.repeat(238)}:1`)).toThrow(
      `name 'docker.io/library/${'a'.repeat(238)}' is 256 characters, more than 255`,
    );
  });

  it('manifestSelector: a digest wins over a tag; neither is an error', () => {
    expect(
      manifestSelector({ registry: 'docker.io', repository: 'library/node', tag: '20', digest: D }),
    ).toBe(D);
    expect(manifestSelector({ registry: 'docker.io', repository: 'library/node', tag: '20' })).toBe('20');
    let caught: unknown;
    try {
      manifestSelector({ registry: 'docker.io', repository: 'library/node' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImageReferenceError);
    expect(caught).toMatchObject({
      name: 'ImageReferenceError',
      part: 'tag',
      message: "invalid image reference 'docker.io/library/node': no tag or digest",
    });
  });
});

describe('private image keys', () => {
  it.each([
    ['undefined/x:1', 'undefined/x:1'],
    ['my.app:1', 'my.app:1'],
    ['localhost:5000/apps/a:1', 'localhost:5000/apps/a:1'],
    ['localhost/apps/a:1', 'localhost/apps/a:1'],
  ])('%s without a private host is the key %s', (ref, key) => {
    expect(privateImageKey(ref)).toBe(key);
  });

  it('a first component that is localhost names that registry', () => {
    expect(parsePrivateReference('localhost/apps/a:1')).toMatchObject({
      registry: 'localhost',
      key: 'localhost/apps/a:1',
    });
  });

  it('an error about a name too long never shows the placeholder host', () => {
    expect(() => privateImageKey('a'.repeat(250))).toThrow(
      /^invalid image reference 'a+': name 'a+' is 266 characters/,
    );
  });

  it('a discovered base pinned by digest only keeps its digest', () => {
    expect(discoveredEdges([{ app: 'x', base: `node@${D}`, source: 'annotation' }])).toEqual([
      { app: 'x', base: `node@${D}`, source: 'annotation' },
    ]);
  });
});

describe('parsePlatform', () => {
  it('os/architecture has no variant key at all', () => {
    expect(parsePlatform('linux/amd64')).toStrictEqual({ os: 'linux', architecture: 'amd64' });
  });

  it.each(['linux/arm/v7/extra', 'linux/AMD64', 'linux/amd64!', 'linux'])('refuses %s', (text) => {
    expect(() => parsePlatform(text)).toThrow(
      `platform '${text}' must be os/architecture[/variant], e.g. linux/arm64`,
    );
  });
});

describe('isDigest', () => {
  it('only a string is a digest, not something that prints as one', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(isDigest(digest)).toBe(true);
    expect(isDigest([digest])).toBe(false);
    expect(isDigest({ toString: () => digest })).toBe(false);
  });
});
