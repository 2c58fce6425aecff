import { describe, expect, it } from 'vitest';
import type { ImageManifest } from '../../src/registry/manifest.js';
import {
  BASE_DIGEST,
  BASE_NAME,
  type ImageParts,
  NotBuiltOnBaseError,
  rebaseImage,
} from '../../src/registry/rebase-image.js';
import { sha256Digest } from '../support/layer.js';

const layer = (name: string) => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: sha256Digest(name),
  size: name.length,
});

function image(layers: string[], history: object[], extra: Record<string, unknown> = {}): ImageParts {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest('c'), size: 1 },
    layers: layers.map(layer),
  };
  return {
    manifest,
    config: {
      ...extra,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256Digest(`diff ${l}`)) },
      history,
    },
  };
}

const names = {
  app: 'apps/web:1',
  oldBase: 'base/node@sha256:old',
  newBase: 'r/base/node:20',
  newBaseDigest: 'sha256:new',
};

describe('rebasing one image', () => {
  const oldBase = image(
    ['b1', 'b2'],
    [{ created_by: 'b1' }, { created_by: 'ENV', empty_layer: true }, { created_by: 'b2' }],
  );
  const newBase = image(['n1'], [{ created_by: 'n1' }]);
  const app = image(
    ['b1', 'b2', 'a1'],
    [
      { created_by: 'b1' },
      { created_by: 'ENV', empty_layer: true },
      { created_by: 'b2' },
      { created_by: 'COPY app' },
    ],
    { architecture: 'amd64', os: 'linux', config: { Entrypoint: ['/app'] }, created: '2026-01-01T00:00:00Z' },
  );

  it("replaces the base's layers, diff_ids and share of history (empty layers included) and keeps the rest", () => {
    const result = rebaseImage(app, oldBase, newBase, names);
    expect(result.manifest.layers.map((l) => l.digest)).toEqual([layer('n1').digest, layer('a1').digest]);
    const config = JSON.parse(result.configBytes.toString('utf8'));
    expect(config.rootfs.diff_ids).toEqual([sha256Digest('diff n1'), sha256Digest('diff a1')]);
    expect(config.history).toEqual([{ created_by: 'n1' }, { created_by: 'COPY app' }]);
    expect(config.config).toEqual({ Entrypoint: ['/app'] });
    expect(config.created).toBe('2026-01-01T00:00:00Z');
    expect(Object.keys(config)).toEqual(Object.keys(app.config));
    expect(result.manifest.config).toEqual({
      ...app.manifest.config,
      digest: result.configDigest,
      size: result.configBytes.length,
    });
    expect(result.configDigest).toBe(sha256Digest(result.configBytes));
    expect(result.manifest.annotations).toEqual({
      [BASE_NAME]: 'r/base/node:20',
      [BASE_DIGEST]: 'sha256:new',
    });
  });

  it('names the app and the base when the base is not a prefix of the app', () => {
    const other = image(['x1'], [{}]);
    expect(() => rebaseImage(app, other, newBase, names)).toThrow(NotBuiltOnBaseError);
    expect(() => rebaseImage(app, other, newBase, names)).toThrow(
      `apps/web:1 is not built on base/node@sha256:old: layer 1 of the app is ${layer('b1').digest}, the base has ${layer('x1').digest}`,
    );
  });

  it('refuses an app that is the base itself or shorter', () => {
    expect(() => rebaseImage(oldBase, oldBase, newBase, names)).toThrow(
      /the base has 2 layers and the app only 2/,
    );
  });

  it('refuses when the config disagrees with the layers about the base', () => {
    const lying = {
      ...app,
      config: { ...app.config, rootfs: { type: 'layers', diff_ids: ['sha256:other'] } },
    };
    expect(() => rebaseImage(lying, oldBase, newBase, names)).toThrow(
      /rootfs.diff_ids do not begin with the base's/,
    );
  });
});
