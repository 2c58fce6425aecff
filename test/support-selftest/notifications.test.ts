import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface Envelope {
  events: {
    action: string;
    target: { mediaType: string; digest: string; repository: string; tag?: string };
  }[];
}

describe('registry push notifications', () => {
  let receiver: Server;
  let registry: TestRegistry;
  const envelopes: { contentType: string | undefined; body: Envelope }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        envelopes.push({
          contentType: req.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope,
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    registry = await startRegistry({
      notifications: [{ name: 'selftest', url: `http://127.0.0.1:${port}/api/hooks/registry` }],
    });
  });
  afterAll(async () => {
    await registry?.stop();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('POSTs a push event carrying the tag for the manifest', async () => {
    const image = makeImage({ seed: 'notify' });
    await pushImage(registry.url, 'selftest/notify', 'v1', image);
    const deadline = Date.now() + 10_000;
    const manifestEvent = () =>
      envelopes
        .flatMap((envelope) => envelope.body.events)
        .find((event) => event.action === 'push' && event.target.digest === image.digest);
    while (!manifestEvent() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(manifestEvent()?.target).toMatchObject({
      mediaType: image.mediaType,
      repository: 'selftest/notify',
      tag: 'v1',
    });
    expect(envelopes[0]?.contentType).toBe('application/vnd.docker.distribution.events.v1+json');
  });
});
