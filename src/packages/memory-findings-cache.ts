// Layer and image findings kept in memory, the most recent `capacity` of each: for one command run, and
// for tests.
import type {
  ImageFindings,
  ImageFindingsCache,
  LayerFindings,
  LayerFindingsCache,
} from '../core/layer-findings.js';

export class MemoryLayerFindingsCache implements LayerFindingsCache, ImageFindingsCache {
  private readonly layers: RecentlyUsed<LayerFindings>;
  private readonly images: RecentlyUsed<ImageFindings>;

  constructor(capacity = 1000) {
    this.layers = new RecentlyUsed(capacity);
    this.images = new RecentlyUsed(capacity);
  }

  async get(layerDigest: string): Promise<LayerFindings | undefined> {
    return this.layers.get(layerDigest);
  }

  async put(layerDigest: string, findings: LayerFindings): Promise<void> {
    this.layers.set(layerDigest, findings);
  }

  async getImage(manifestDigest: string): Promise<ImageFindings | undefined> {
    return this.images.get(manifestDigest);
  }

  async putImage(manifestDigest: string, findings: ImageFindings): Promise<void> {
    this.images.set(manifestDigest, findings);
  }
}

/** A map that forgets the entry used longest ago once it holds more than `capacity`. */
class RecentlyUsed<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string): T | undefined {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
    }
    return found;
  }

  set(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
