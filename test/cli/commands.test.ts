import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// The real entry point, run as a user would (through tsx, so no build step is needed).
function basewatch(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: process.cwd(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const CONFIG = `version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: docker.io/library/node, tags: ["20-alpine", "22-alpine"], target: base/node }
apps:
  - { name: runtime, image: apps/runtime:22, team: platform, baseImages: [base/node:22-alpine], rebuild: { rebase: true } }
  - { name: orders, image: apps/orders:1, team: payments, baseImages: [apps/runtime:22], rebuild: { acrTask: build-orders } }
  - { name: billing, image: apps/billing:1, team: payments, baseImages: [apps/runtime:22, base/node:22-alpine], rebuild: { rebase: true } }
  - { name: reports, image: apps/reports:1, team: finance, baseImages: [base/node:20-alpine], rebuild: { rebase: true } }
`;

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'basewatch-cli-'));
  config = join(dir, 'basewatch.yaml');
  await writeFile(config, CONFIG);
  await writeFile(join(dir, 'bad.yaml'), CONFIG.replace('team: finance', 'team: Finance'));
});

describe('basewatch validate', () => {
  it('reports a valid config and exits 0', async () => {
    const { code, stdout } = await basewatch('validate', '--config', config);
    expect(stdout).toBe(`${config} is valid: 1 tracked image, 4 apps, 5 base edges\n`);
    expect(code).toBe(0);
  });

  it('notes bases whose changes nobody watches', async () => {
    const file = join(dir, 'untracked.yaml');
    await writeFile(
      file,
      CONFIG.replace(
        'baseImages: [base/node:20-alpine]',
        'baseImages: [base/python:3.12, mcr.microsoft.com/dotnet/runtime:8.0]',
      ),
    );
    const { code, stdout } = await basewatch('validate', '--config', file);
    expect(stdout.split('\n').slice(1)).toEqual([
      'note: base/python:3.12 (base of reports) is neither tracked nor built by an app; its changes are not watched',
      'note: mcr.microsoft.com/dotnet/runtime:8.0 (base of reports) is neither tracked nor built by an app; its changes are not watched',
      '',
    ]);
    expect(code).toBe(0);
  });

  it('exits 2 naming file, line, column and field for a bad config', async () => {
    const { code, stderr } = await basewatch('validate', '--config', join(dir, 'bad.yaml'));
    expect(stderr).toContain(
      `${join(dir, 'bad.yaml')}:9:51: apps[3].team: expected lower-case letters, digits and -, at most 64`,
    );
    expect(code).toBe(2);
  });

  it('exits 2 when the config file is missing', async () => {
    const { code, stderr } = await basewatch('validate', '--config', join(dir, 'none.yaml'));
    expect(stderr).toContain('cannot read config: no such file');
    expect(code).toBe(2);
  });
});

describe('basewatch plan', () => {
  it('prints the waves and why each app is in them', async () => {
    const { code, stdout } = await basewatch('plan', 'base/node:22-alpine', '--config', config);
    expect(stdout).toBe(
      [
        'If base/node:22-alpine changed, 3 apps would rebuild in 2 waves:',
        'wave 1:',
        '  runtime (apps/runtime:22, team platform): base base/node:22-alpine changed',
        'wave 2:',
        '  billing (apps/billing:1, team payments): base apps/runtime:22 is rebuilt by runtime in wave 1; base base/node:22-alpine changed',
        '  orders (apps/orders:1, team payments): base apps/runtime:22 is rebuilt by runtime in wave 1',
        '',
      ].join('\n'),
    );
    expect(code).toBe(0);
  });

  it('maps an upstream tag to its private copy, and prints JSON', async () => {
    const { code, stdout } = await basewatch('plan', 'node:20-alpine', '--json', '--config', config);
    const plan = JSON.parse(stdout);
    expect(plan).toMatchObject({
      changed: 'base/node:20-alpine',
      upstream: 'docker.io/library/node:20-alpine',
      known: true,
    });
    expect(plan.waves).toEqual([
      {
        wave: 1,
        apps: [
          {
            name: 'reports',
            image: 'apps/reports:1',
            team: 'finance',
            wave: 1,
            because: [{ kind: 'changed', base: 'base/node:20-alpine' }],
            reason: 'base base/node:20-alpine changed',
          },
        ],
      },
    ]);
    expect(code).toBe(0);
  });

  it('says when nothing would rebuild', async () => {
    const { code, stdout } = await basewatch('plan', 'apps/orders:1', '--config', config);
    expect(stdout).toBe('If apps/orders:1 changed, nothing would rebuild: no app is built FROM it.\n');
    expect(code).toBe(0);
  });

  it('exits 2 for a malformed reference or a missing argument', async () => {
    const bad = await basewatch('plan', 'Base/Node', '--config', config);
    expect(bad.stderr).toContain("invalid image reference 'Base/Node'");
    expect(bad.code).toBe(2);
    const missing = await basewatch('plan', '--config', config);
    expect(missing.stderr).toContain("missing required argument 'ref'");
    expect(missing.code).toBe(2);
  });
});

describe('basewatch graph', () => {
  it('prints JSON by default', async () => {
    const { code, stdout } = await basewatch('graph', '--config', config);
    const graph = JSON.parse(stdout);
    expect(graph.apps.map((a: { name: string }) => a.name)).toEqual([
      'billing',
      'orders',
      'reports',
      'runtime',
    ]);
    expect(graph.edges).toContainEqual({ app: 'orders', base: 'apps/runtime:22', sources: ['config'] });
    expect(graph.images).toContainEqual({ image: 'base/node:22-alpine', tracked: true });
    expect(code).toBe(0);
  });

  it('prints DOT', async () => {
    const { code, stdout } = await basewatch('graph', '--format', 'dot', '--config', config);
    expect(stdout).toMatch(/^digraph basewatch \{\n/);
    expect(stdout).toContain('"apps/orders:1" -> "apps/runtime:22" [label="config"];');
    expect(code).toBe(0);
  });

  it('exits 2 for an unknown format', async () => {
    const { code, stderr } = await basewatch('graph', '--format', 'xml', '--config', config);
    expect(stderr).toContain("argument 'xml' is invalid");
    expect(code).toBe(2);
  });
});
