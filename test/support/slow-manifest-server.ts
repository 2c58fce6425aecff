// A registry stand-in whose manifest HEADs each take 15 ms and name one image, counting how many are in
// flight at once: what a test of check concurrency needs, with nothing else a registry does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowManifestServer {
  /** host:port, for references. */
  readonly host: string;
  /** The most HEADs that were in flight at one time. */
  peak(): number;
  stop(): Promise<void>;
}

export async function startSlowManifestServer(image: {
  readonly digest: string;
  readonly mediaType: string;
}): Promise<SlowManifestServer> {
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return res.writeHead(200).end();
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      res.writeHead(200, { 'docker-content-digest': image.digest, 'content-type': image.mediaType }).end();
    }, 15);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    peak: () => peak,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
