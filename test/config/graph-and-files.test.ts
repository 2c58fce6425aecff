import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryCredential } from '../../src/config/credentials.js';
import { loadDependencyGraph, untrackedBases } from '../../src/config/dependency-graph.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { resolveSecret } from '../../src/config/secret.js';

// Parsed inside each test (not at load time) so per-test coverage sees which tests reach which code.
const config = () =>
  parseConfig(
    `version: 1
registry: { url: myregistry.azurecr.io }
credentials:
  docker.io: { username: env:HUB_USER, password: env:HUB_TOKEN }
images:
  - { source: docker.io/library/node, tags: ["22-alpine"], target: base/node }
  - { source: docker.io/library/alpine, tagPolicy: { semver: ">=3.19" }, target: base/alpine }
apps:
  - { name: a, image: apps/a:1, team: t, baseImages: [base/zulu:1, base/node:22-alpine, base/node:20], rebuild: { rebase: true } }
  - { name: b, image: apps/b:1, team: t, baseImages: [base/debian:12, base/alpine:3.21, other.io/x/y:1, other.io/base/alpine:3], rebuild: { rebase: true } }
`,
    'basewatch.yaml',
  );

describe('the graph the config describes', () => {
  it('has the app images, their bases and the listed tags, and nothing else', async () => {
    const graph = await loadDependencyGraph(config());
    expect(graph.images).toEqual([
      'apps/a:1',
      'apps/b:1',
      'base/alpine:3.21',
      'base/debian:12',
      'base/node:20',
      'base/node:22-alpine',
      'base/zulu:1',
      'other.io/base/alpine:3',
      'other.io/x/y:1',
    ]);
    expect([...graph.tracked]).toEqual(['base/node:22-alpine']);
  });

  it('bases nothing tracks or builds, sorted; a tag of a policy-tracked repository is not one of them', async () => {
    const graph = await loadDependencyGraph(config());
    expect(untrackedBases(config(), graph)).toEqual([
      { base: 'base/debian:12', apps: ['b'] },
      { base: 'base/node:20', apps: ['a'] },
      { base: 'base/zulu:1', apps: ['a'] },
      { base: 'other.io/base/alpine:3', apps: ['b'] },
      { base: 'other.io/x/y:1', apps: ['b'] },
    ]);
  });
});

describe('registry credentials', () => {
  it('a missing user name variable is named with what needed it', () => {
    expect(() => registryCredential(config(), 'docker.io', { HUB_TOKEN: 't' })).toThrow(
      'environment variable HUB_USER is not set (user name for docker.io)',
    );
  });
});

describe('secrets', () => {
  it('without a purpose the message is the variable alone; the error is a MissingSecretError', () => {
    let caught: unknown;
    try {
      resolveSecret('env:ABSENT', {});
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      name: 'MissingSecretError',
      variable: 'ABSENT',
      message: 'environment variable ABSENT is not set',
    });
  });
});

describe('loadConfig', () => {
  it('a file that cannot be read for another reason than absence says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basewatch-config-'));
    await expect(loadConfig(dir)).rejects.toThrow(`invalid config: ${dir}:1:1: cannot read config: EISDIR`);
  });
});
