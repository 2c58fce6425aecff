// Two `basewatch start` on one data directory, started together: exactly one runs, the other exits 1
// naming the holder, and the lock goes when the one that runs stops.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-two-hosts-'));
  await writeFile(
    join(dir, 'basewatch.yaml'),
    `version: 1
registry: { url: "http://127.0.0.1:9" }
defaults: { schedule: "0 0 0 1 1 *" }
images:
  - { source: "docker.io/library/node", tags: ["22"], target: base/node }
`,
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

interface Host {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<number | null>;
}

function start(): Host {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'start',
      '--config',
      join(dir, 'basewatch.yaml'),
      '--data',
      join(dir, 'data'),
      '--port',
      '0',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const host: Host = {
    child,
    output: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    host.output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    host.output += chunk.toString();
  });
  return host;
}

/** Resolves when the host says it serves, or when it exits. */
function settled(host: Host): Promise<'serving' | 'exited'> {
  return new Promise((resolve) => {
    const check = () => {
      if (host.output.includes('basewatch local host on http://127.0.0.1:')) resolve('serving');
    };
    host.child.stdout!.on('data', check);
    check();
    void host.exited.then(() => resolve('exited'));
  });
}

it('two hosts started together on one data directory: one runs, the other exits 1 naming it', {
  timeout: 120_000,
}, async () => {
  const hosts = [start(), start()];
  try {
    const states = await Promise.all(hosts.map(settled));
    expect([...states].sort()).toEqual(['exited', 'serving']);
    const winner = hosts[states.indexOf('serving')] as Host;
    const loser = hosts[states.indexOf('exited')] as Host;
    expect(await loser.exited).toBe(1);
    expect(loser.output).toContain(`${join(dir, 'data')} is in use by basewatch (pid ${winner.child.pid})`);
    // An answer over HTTP means the event loop has turned since the line was written: the signal handlers are set.
    const url = /basewatch local host on (http:\/\/127\.0\.0\.1:\d+)/.exec(winner.output)?.[1];
    expect((await fetch(`${url}/api/runs`)).status).toBe(200);
    winner.child.kill('SIGTERM');
    expect(await winner.exited).toBe(0);
    expect(await readdir(join(dir, 'data'))).not.toContain('basewatch.lock');
  } finally {
    for (const host of hosts) if (host.child.exitCode === null) host.child.kill('SIGKILL');
  }
});
