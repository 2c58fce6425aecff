// Layers that lie or are too big: bounds hold, tampered bytes are refused and never cached, links and
// odd names cannot reach past what the layer itself holds.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InventoryReader } from '../../src/packages/inventory-reader.js';
import { MemoryLayerFindingsCache } from '../../src/packages/memory-findings-cache.js';
import { DEFAULT_LAYER_LIMITS } from '../../src/packages/scan-layer.js';
import { OciLayoutStore } from '../../src/registry/oci-layout-store.js';
import { sha256Digest, type TestImage, writeOciLayout } from '../support/images.js';
import { distroless, STATUS_BOOKWORM } from './databases.js';
import { type FsLayer, fsLayer, imageOf } from './fs-layer.js';

async function layout(image: TestImage, tag = 'v1') {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-hostile-layers-'));
  await writeOciLayout(dir, tag, image);
  return { dir, store: new OciLayoutStore(dir), ref: { repository: '', tag } };
}

describe('bounds', () => {
  it('a status file over the size bound makes the package list unknown, naming the file and both sizes', async () => {
    const { store, ref } = await layout(imageOf([fsLayer({ 'var/lib/dpkg/status': STATUS_BOOKWORM })]));
    const size = Buffer.byteLength(STATUS_BOOKWORM);

    const inventory = await new InventoryReader({
      limits: { ...DEFAULT_LAYER_LIMITS, maxFileBytes: 1024 },
    }).inventory(store, ref);

    expect(inventory.platforms[0]?.inventory).toEqual({
      known: false,
      reason: `package list unknown: var/lib/dpkg/status is ${size} bytes, more than the 1024 read`,
    });
  });

  it('stops reading a layer that inflates past the uncompressed bound', async () => {
    const big = fsLayer({ 'zeros.bin': '\0'.repeat(1024 * 1024), 'var/lib/dpkg/status': STATUS_BOOKWORM });
    const { store, ref } = await layout(imageOf([big]));

    await expect(
      new InventoryReader({ limits: { ...DEFAULT_LAYER_LIMITS, maxTarBytes: 64 * 1024 } }).inventory(
        store,
        ref,
      ),
    ).rejects.toThrow(`read layer ${big.digest} of oci-layout:`);
    await expect(
      new InventoryReader({ limits: { ...DEFAULT_LAYER_LIMITS, maxTarBytes: 64 * 1024 } }).inventory(
        store,
        ref,
      ),
    ).rejects.toThrow('layer is larger than 65536 bytes uncompressed; not read further');
  });

  it('reads no more distroless entries than the bound', async () => {
    const tree = Object.fromEntries(
      Array.from({ length: 5 }, (_, i) => [`var/lib/dpkg/status.d/pkg${i}`, distroless(`pkg${i}`, '1.0')]),
    );
    const { store, ref } = await layout(imageOf([fsLayer(tree)]));

    const inventory = await new InventoryReader({
      limits: { ...DEFAULT_LAYER_LIMITS, maxDistrolessEntries: 3 },
    }).inventory(store, ref);

    expect(inventory.platforms[0]?.inventory).toEqual({
      known: false,
      reason: 'package list unknown: more than 3 entries in var/lib/dpkg/status.d',
    });
  });
});

describe('lies', () => {
  it('refuses a layer whose bytes do not match its digest, and caches nothing for it', async () => {
    const layer = fsLayer({ 'var/lib/dpkg/status': STATUS_BOOKWORM });
    const { dir, store, ref } = await layout(imageOf([layer]));
    const forged = gzipSync(Buffer.alloc(layer.size));
    await writeFile(join(dir, 'blobs', 'sha256', layer.digest.slice(7)), forged.subarray(0, layer.size));
    const cache = new MemoryLayerFindingsCache();

    const reading = new InventoryReader({ cache }).inventory(store, ref);

    await expect(reading).rejects.toThrow(`read layer ${layer.digest}`);
    await expect(new InventoryReader({ cache }).inventory(store, ref)).rejects.toThrow(
      /DIGEST_MISMATCH|SIZE_INVALID/,
    );
    expect(await cache.get(layer.digest)).toBeUndefined();
  });

  it('does not follow a hard link to a file it did not keep, even one named like an object property', async () => {
    const { store, ref } = await layout(
      imageOf([
        fsLayer({ constructor: 'not a database\n', 'var/lib/dpkg/status': { hardlink: 'constructor' } }),
      ]),
    );

    const inventory = await new InventoryReader().inventory(store, ref);

    expect(inventory.platforms[0]?.inventory).toEqual({
      known: false,
      reason: 'package list unknown: var/lib/dpkg/status is a hard link to constructor, which is not read',
    });
  });

  it('follows a hard link to a watched file the same layer holds', async () => {
    const { store, ref } = await layout(
      imageOf([
        fsLayer({
          'var/lib/dpkg/status.d/aaa': distroless('aaa', '1.0'),
          'var/lib/dpkg/status.d/bbb': { hardlink: 'var/lib/dpkg/status.d/aaa' },
        }),
      ]),
    );

    const inventory = await new InventoryReader().inventory(store, ref);

    expect(inventory.platforms[0]?.inventory).toEqual({
      known: true,
      manager: 'dpkg',
      packages: [{ name: 'aaa', version: '1.0', architecture: 'amd64' }],
    });
  });

  it('says a layer that is no archive cannot be read, naming it', async () => {
    const bytes = Buffer.from('xy');
    const junk: FsLayer = {
      digest: sha256Digest(bytes),
      diffId: sha256Digest(bytes),
      size: 2,
      bytes,
      mediaType: 'application/vnd.oci.image.layer.v1.tar',
    };
    const { store, ref } = await layout(imageOf([junk]));

    await expect(new InventoryReader().inventory(store, ref)).rejects.toThrow(
      `read layer ${junk.digest} of oci-layout:`,
    );
  });

  it('does not read a layer of a media type that is no filesystem, and says so', async () => {
    const layer = {
      ...fsLayer({ 'var/lib/dpkg/status': STATUS_BOOKWORM }),
      mediaType: 'application/vnd.example.data',
    };
    const { store, ref } = await layout(imageOf([layer]));

    const inventory = await new InventoryReader().inventory(store, ref);

    expect(inventory.platforms[0]?.inventory).toEqual({
      known: false,
      reason: `package list unknown: layer ${layer.digest}: media type application/vnd.example.data is not a filesystem layer`,
    });
  });
});
