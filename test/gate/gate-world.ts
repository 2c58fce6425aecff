// The real parts a gate test runs on: an upstream and a private registry, Azurite, and a receiver for
// webhooks (validators, CI, subscribers); started once per file, with every harness a test made stopped
// after it.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { type Harness, startHarness } from '../workflows/harness.js';

export interface GateWorld {
  readonly upstream: TestRegistry;
  readonly mirror: TestRegistry;
  readonly azurite: AzuriteTables;
  readonly hooks: WebhookReceiver;
  /** The workflows on the production wiring for `yaml`, stopped after the test. */
  harness(options: { yaml: string; env?: Record<string, string> }): Promise<Harness>;
}

export function gateWorld(): GateWorld {
  const parts: { -readonly [K in Exclude<keyof GateWorld, 'harness'>]?: GateWorld[K] } = {};
  const harnesses: Harness[] = [];
  beforeAll(async () => {
    [parts.upstream, parts.mirror, parts.azurite, parts.hooks] = await Promise.all([
      startRegistry(),
      startRegistry(),
      startAzuriteTables(),
      startWebhookReceiver(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([
      parts.upstream?.stop(),
      parts.mirror?.stop(),
      parts.azurite?.stop(),
      parts.hooks?.stop(),
    ]);
  });
  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.engine.stop();
  });
  const started = <T>(part: T | undefined): T => {
    if (part === undefined) throw new Error('the gate test world is used before beforeAll started it');
    return part;
  };
  return {
    get upstream() {
      return started(parts.upstream);
    },
    get mirror() {
      return started(parts.mirror);
    },
    get azurite() {
      return started(parts.azurite);
    },
    get hooks() {
      return started(parts.hooks);
    },
    async harness(options) {
      const harness = await startHarness({ ...options, azurite: started(parts.azurite) });
      harnesses.push(harness);
      return harness;
    },
  };
}
