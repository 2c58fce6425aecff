// Azurite on a data directory in a child process (azurite-child.ts), which a test can kill -9: nothing
// flushed, no handler run, only what Azurite had put on disk survives.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AzuriteProcess {
  readonly connectionString: string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

export async function startAzuriteProcess(location: string): Promise<AzuriteProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/chaos/azurite-child.ts', location], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const connectionString = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    void exited.then(() => reject(new Error(`Azurite's process ended before it served:\n${stderr}`)));
  });
  return {
    connectionString,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
