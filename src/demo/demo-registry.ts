// A CNCF Distribution registry (Debian's `docker-registry`) on a loopback port, for the offline demo.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../local/free-port.js';

export interface DemoRegistry {
  readonly host: string;
  stop(): Promise<void>;
}

export function hasDistributionRegistry(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v docker-registry'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startDemoRegistry(dir: string): Promise<DemoRegistry> {
  const port = await freePort();
  await mkdir(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      version: '0.1',
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${port}` },
    }),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited with ${child.exitCode} (config ${config})`);
    if ((await fetch(`http://${host}/v2/`).catch(() => undefined))?.ok)
      return { host, stop: () => stop(child) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop(child);
  throw new Error(`docker-registry did not answer on ${host} within 10 s`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
