// What changed between two images (or two digests of one): both inventories through one reader, so
// layers they share are read once, then the pure diff.
import { type ImageChanges, imageChanges } from '../core/image-changes.js';
import type { ImageStore, StoreReference } from '../registry/image-store.js';
import { type InventoryOptions, InventoryReader } from './inventory-reader.js';

export interface ImageSide {
  readonly store: ImageStore;
  readonly ref: StoreReference;
}

export async function diffImages(
  from: ImageSide,
  to: ImageSide,
  options: InventoryOptions = {},
): Promise<ImageChanges> {
  const reader = new InventoryReader(options);
  const [before, after] = await Promise.all([
    reader.inventory(from.store, from.ref),
    reader.inventory(to.store, to.ref),
  ]);
  return imageChanges(before, after);
}
