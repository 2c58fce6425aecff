// Layer findings kept in memory, the most recent `capacity` layers: for one command run, and for tests.
import type { LayerFindings, LayerFindingsCache } from '../core/layer-findings.js';

export class MemoryLayerFindingsCache implements LayerFindingsCache {
  private readonly entries = new Map<string, LayerFindings>();

  constructor(private readonly capacity = 1000) {}

  async get(layerDigest: string): Promise<LayerFindings | undefined> {
    const found = this.entries.get(layerDigest);
    if (found) {
      this.entries.delete(layerDigest);
      this.entries.set(layerDigest, found);
    }
    return found;
  }

  async put(layerDigest: string, findings: LayerFindings): Promise<void> {
    this.entries.delete(layerDigest);
    this.entries.set(layerDigest, findings);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
