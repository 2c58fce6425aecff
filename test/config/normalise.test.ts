import { describe, expect, it } from 'vitest';
import { ConfigError, formatPath } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';

const rejection = (text: string) => {
  try {
    parseConfig(text, 'b.yaml');
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected the config to be rejected');
};

describe('the normalised config', () => {
  const full = () =>
    parseConfig(
      `version: 1
registry:
  url: myregistry.azurecr.io
  acr: { subscriptionId: 00000000-0000-0000-0000-000000000000, resourceGroup: rg, name: myregistry }
credentials:
  docker.io: { username: env:DOCKERHUB_USERNAME, password: env:DOCKERHUB_TOKEN }
images:
  - { source: node, tags: ["20"], target: base/node }
  - { source: python, tagPolicy: { latest: 2 }, target: base/python }
apps:
  - { name: a, image: apps/a:1, team: t, rebuild: { acrTask: build-a } }
  - { name: b, image: apps/b:1, team: t, rebuild: { webhook: { url: env:CI_HOOK, secret: env:CI_SECRET } } }
  - { name: c, image: apps/c:1, team: t, rebuild: { rebase: true } }
notifications:
  eventGrid: { endpoint: env:TOPIC }
`,
      'b.yaml',
    );
  const bare = () =>
    parseConfig(
      `version: 1
registry: { url: myregistry.azurecr.io }
images: []
apps: []
`,
      'b.yaml',
    );

  it('keeps the ACR settings, credentials and Event Grid topic when given, and has none when not', () => {
    expect(full().registry).toStrictEqual({
      url: 'myregistry.azurecr.io',
      location: { kind: 'registry', host: 'myregistry.azurecr.io', scheme: 'https' },
      acr: {
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        resourceGroup: 'rg',
        name: 'myregistry',
      },
    });
    expect(full().credentials).toStrictEqual({
      'docker.io': { username: 'env:DOCKERHUB_USERNAME', password: 'env:DOCKERHUB_TOKEN' },
    });
    expect(full().notifications).toStrictEqual({ eventGrid: { endpoint: 'env:TOPIC' }, webhooks: [] });
    expect(bare().registry).toStrictEqual({
      url: 'myregistry.azurecr.io',
      location: { kind: 'registry', host: 'myregistry.azurecr.io', scheme: 'https' },
    });
    expect(bare().credentials).toStrictEqual({});
    expect(bare().notifications).toStrictEqual({ webhooks: [] });
  });

  it('a source is normalised without a tag; a selection is the tags or the policy', () => {
    expect(full().images.map((i) => [i.source, i.target, i.selection])).toStrictEqual([
      ['docker.io/library/node', 'base/node', { tags: ['20'] }],
      ['docker.io/library/python', 'base/python', { tagPolicy: { latest: 2 } }],
    ]);
  });

  it('each rebuild method becomes its own kind', () => {
    expect(full().apps.map((app) => app.rebuild)).toStrictEqual([
      { kind: 'acrTask', task: 'build-a' },
      { kind: 'webhook', url: 'env:CI_HOOK', secret: 'env:CI_SECRET' },
      { kind: 'rebase' },
    ]);
  });
});

describe('problems found across fields', () => {
  it('targets: used twice, naming another registry, with a tag, or not a reference', () => {
    const error = rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: node, tags: ["20"], target: base/node }
  - { source: python, tags: ["3"], target: base/node }
  - { source: ruby, tags: ["3"], target: other.io/base/ruby }
  - { source: golang, tags: ["1"], target: "base/go:1" }
  - { source: alpine, tags: ["3"], target: "Bad/Name" }
apps: []
`);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      [
        'invalid config (4 problems):',
        '  b.yaml:5:44: images[1].target: target base/node is already used by images[0]',
        "  b.yaml:6:42: images[2].target: 'other.io/base/ruby' names registry other.io; expected a repository in the private registry",
        "  b.yaml:7:44: images[3].target: 'base/go:1' names a tag or digest; expected a repository in the private registry",
        "  b.yaml:8:44: images[4].target: invalid image reference 'Bad/Name': repository 'Bad/Name' must be lower case",
      ].join('\n'),
    );
  });

  it('a cycle among configured bases is placed at the first app of the cycle', () => {
    const error = rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images: []
apps:
  - { name: a, image: apps/a:1, team: t, baseImages: [apps/b:1], rebuild: { rebase: true } }
  - { name: b, image: apps/b:1, team: t, baseImages: [apps/a:1], rebuild: { rebase: true } }
`);
    expect(error.message).toBe(
      'invalid config: b.yaml:5:54: apps[0].baseImages: dependency cycle (→ reads "is built FROM"): ' +
        'a (apps/a:1) → b (apps/b:1) → a (apps/a:1)',
    );
  });

  it('an image schedule the timer trigger cannot honour is placed at that schedule', () => {
    const error = rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: node, tags: ["20"], target: base/node, schedule: "0 */2 * * * *" }
apps: []
`);
    expect(error.issues).toMatchObject([{ line: 4, column: 64, path: 'images[0].schedule' }]);
  });

  it('a missing field says it is required; a YAML error keeps only its first line, without the position', () => {
    expect(
      rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images: []
apps:
  - { name: a, image: apps/a:1, rebuild: { rebase: true } }
`).message,
    ).toBe('invalid config: b.yaml:5:5: apps[0].team: required: expected string');
    expect(rejection('version: 1\nregistry: { url: myregistry.azurecr.io\n').message).toBe(
      'invalid config: b.yaml:3:1: YAML: Flow map in block collection must be sufficiently indented and end with a }',
    );
  });
});

describe('formatPath', () => {
  it.each([
    [['images', 0, 'tagPolicy', 'semver'], 'images[0].tagPolicy.semver'],
    [['credentials', 'docker.io', 'password'], 'credentials["docker.io"].password'],
    [[3, 'x'], '[3].x'],
    [[], ''],
  ])('%j → %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe('URLs in the config', () => {
  const withHook = (url: string) =>
    `version: 1
registry: { url: myregistry.azurecr.io }
images: []
apps:
  - { name: a, image: apps/a:1, team: t, rebuild: { webhook: { url: "${url}" } } }
`;

  it.each(['https://ci.example/hook', 'http://127.0.0.1:8080/x', 'env:CI_HOOK'])(
    'a rebuild webhook may be %s',
    (url) => {
      expect(parseConfig(withHook(url), 'b.yaml').apps[0]!.rebuild).toStrictEqual({ kind: 'webhook', url });
    },
  );

  it.each(['ftp://ci.example/hook', 'https:///path', 'see https://ci.example', 'https:// space'])(
    'a rebuild webhook may not be %s',
    (url) => {
      expect(rejection(withHook(url)).message).toContain(
        'apps[0].rebuild.webhook.url: expected an http(s):// URL or a secret reference env:NAME',
      );
    },
  );

  it('a rebuild with two methods names both', () => {
    expect(
      rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images: []
apps:
  - { name: a, image: apps/a:1, team: t, rebuild: { acrTask: x, rebase: true } }
`).message,
    ).toContain('expected exactly one of acrTask, rebase, webhook, found acrTask and rebase');
  });
});

describe('an upstream source names a repository', () => {
  it('not an image by digest', () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    expect(
      rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: "docker.io/library/node@${digest}", tags: ["20"], target: base/node }
apps: []
`).message,
    ).toContain(
      `images[0].source: 'docker.io/library/node@${digest}' names a tag or digest; expected a repository`,
    );
  });
});

describe('more cross-field problems', () => {
  it('a cycle is placed at its own first app, wherever it sits in the list', () => {
    const error = rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images: []
apps:
  - { name: x, image: apps/x:1, team: t, rebuild: { rebase: true } }
  - { name: a, image: apps/a:1, team: t, baseImages: [apps/b:1], rebuild: { rebase: true } }
  - { name: b, image: apps/b:1, team: t, baseImages: [apps/a:1], rebuild: { rebase: true } }
`);
    expect(error.issues).toMatchObject([{ path: 'apps[1].baseImages' }]);
  });

  it('a target pinned by digest is refused', () => {
    const digest = `sha256:${'e'.repeat(64)}`;
    expect(
      rejection(`version: 1
registry: { url: myregistry.azurecr.io }
images:
  - { source: node, tags: ["20"], target: "base/node@${digest}" }
apps: []
`).message,
    ).toContain(`images[0].target: 'base/node@${digest}' names a tag or digest`);
  });

  it('a path part that is neither a name nor an index is quoted', () => {
    expect(formatPath(['a', Symbol('odd')])).toBe('a["Symbol(odd)"]');
  });
});
