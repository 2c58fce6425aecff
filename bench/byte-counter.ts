// A TCP relay in front of a registry that counts the bytes clients send through it: what a copy
// really uploads, whatever the client's protocol choices (one PUT, PATCH chunks, retries).
import { connect, createServer, type Server } from 'node:net';

export interface ByteCounter {
  readonly host: string;
  sent(): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startByteCounter(targetHost: string): Promise<ByteCounter> {
  const [hostname, port] = [
    targetHost.slice(0, targetHost.lastIndexOf(':')),
    Number(targetHost.slice(targetHost.lastIndexOf(':') + 1)),
  ];
  let sent = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(port, hostname);
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
    });
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    host: `127.0.0.1:${address.port}`,
    sent: () => sent,
    reset: () => {
      sent = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.unref();
      }),
  };
}
