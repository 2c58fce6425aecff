// `basewatch start`: the local host, unattended, until SIGINT or SIGTERM.
import type { HostCommandOptions } from '../host-options.js';
import { operatorApi } from '../operator-api.js';
import { startHost } from '../start-host.js';

export async function start(options: HostCommandOptions & { port: string }): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw Object.assign(new Error(`--port '${options.port}' is not a port number`), { exitCode: 2 });
  }
  // Listen for the stop signals before the host takes the data lock: any signal from then on releases it.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const host = await startHost({ logLevel: 'info', ...options }, { port, timer: true, api: operatorApi });
  process.stdout.write(
    `basewatch local host on ${host.url} (config ${options.config}, ${options.inMemory ? 'in memory' : `data in ${options.data}`})\n` +
      `next sync cycle at ${host.timer?.next().toISOString()}; POST ${host.url}/api/sync to run one now\n`,
  );
  await stopped;
  process.stdout.write('stopping: unfinished runs resume at the next start\n');
  await host.stop();
}
