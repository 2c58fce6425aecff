import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, parseConfig } from '../../src/config/load.js';

const FILE = 'basewatch.yaml';

// A valid config; each bad case below changes one thing in it.
const GOOD = `version: 1
registry:
  url: myregistry.azurecr.io
  acr:
    subscriptionId: 00000000-0000-0000-0000-000000000000
    resourceGroup: rg-images
    name: myregistry
credentials:
  docker.io: { username: env:DOCKERHUB_USERNAME, password: env:DOCKERHUB_TOKEN }
defaults:
  schedule: "0 */10 * * * *"
  platforms: all
  rateLimit: { minRemaining: 10 }
images:
  - source: docker.io/library/node
    tags: ["20-alpine", "22-alpine"]
    target: base/node
    # gate: planned, not built yet (a config with one is refused, see below)
  - source: python
    tagPolicy: { semver: ">=3.11", match: "-slim$", latest: 2 }
    target: base/python
    platforms: [linux/amd64]
    schedule: "0 0 * * * *"
apps:
  - name: orders-api
    image: apps/orders-api:1
    team: payments
    baseImages: [base/node:20-alpine]
    rebuild: { acrTask: build-orders-api }
  - name: orders-worker
    image: myregistry.azurecr.io/apps/orders-worker:1
    team: payments
    baseImages: [myregistry.azurecr.io/apps/orders-api:1]
    rebuild: { rebase: true }
  - name: reports
    image: apps/reports
    team: finance
    rebuild: { webhook: { url: env:CI_HOOK, secret: env:CI_SECRET } }
notifications:
  eventGrid: { endpoint: env:BASEWATCH_TOPIC_ENDPOINT }
  webhooks:
    - { url: https://hooks.example.com/x, teams: [payments], types: [basewatch.rebuild.failed], secret: env:HOOK_SECRET }
`;

function edit(from: string, to: string): string {
  if (!GOOD.includes(from)) throw new Error(`test bug: '${from}' is not in the good config`);
  return GOOD.replace(from, to);
}

function problems(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as ConfigError).issues.map(
      (i) => `${i.file}:${i.line}:${i.column}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`,
    );
  }
  throw new Error('expected the config to be rejected');
}

describe('a valid config', () => {
  const config = parseConfig(GOOD, FILE);

  it('merges defaults into every image, the entry winning', () => {
    expect(config.images[0]).toMatchObject({
      source: 'docker.io/library/node',
      target: 'base/node',
      selection: { tags: ['20-alpine', '22-alpine'] },
      schedule: '0 */10 * * * *',
      platforms: 'all',
      rateLimit: { minRemaining: 10 },
    });
    expect(config.images[1]).toMatchObject({
      source: 'docker.io/library/python',
      selection: { tagPolicy: { semver: '>=3.11', match: '-slim$', latest: 2 } },
      schedule: '0 0 * * * *',
      platforms: ['linux/amd64'],
      rateLimit: { minRemaining: 10 },
    });
  });

  it('normalises app images and bases to private registry keys', () => {
    expect(config.apps.map((a) => [a.name, a.image, a.baseImages])).toEqual([
      ['orders-api', 'apps/orders-api:1', ['base/node:20-alpine']],
      ['orders-worker', 'apps/orders-worker:1', ['apps/orders-api:1']],
      ['reports', 'apps/reports:latest', []],
    ]);
    expect(config.apps.map((a) => a.rebuild)).toEqual([
      { kind: 'acrTask', task: 'build-orders-api' },
      { kind: 'rebase' },
      { kind: 'webhook', url: 'env:CI_HOOK', secret: 'env:CI_SECRET' },
    ]);
    expect(config.registry.location).toEqual({
      kind: 'registry',
      host: 'myregistry.azurecr.io',
      scheme: 'https',
    });
  });

  it('uses built-in defaults when the file has none', () => {
    const minimal = parseConfig(
      'version: 1\nregistry: { url: "http://127.0.0.1:5000" }\nimages:\n  - { source: alpine, tags: ["3.20"], target: base/alpine }\n',
      FILE,
    );
    expect(minimal.images[0]).toMatchObject({
      schedule: '0 */10 * * * *',
      platforms: 'all',
      rateLimit: { minRemaining: 10 },
    });
    expect(minimal.apps).toEqual([]);
    expect(minimal.notifications).toEqual({ webhooks: [] });
  });
});

// Each bad config and the message it must produce: file:line:column, the field, what was expected.
const BAD: [string, string, string[]][] = [
  ['wrong version', edit('version: 1', 'version: 2'), ['basewatch.yaml:1:10: version: expected version: 1']],
  [
    'unknown top-level key',
    `${GOOD}extras: true\n`,
    [
      "basewatch.yaml:43:1: extras: unknown key 'extras'; expected one of: version, registry, credentials, defaults, images, apps, notifications, hooks, history",
    ],
  ],
  [
    'a gate check written beside checks instead of in them',
    edit('    target: base/node\n', '    target: base/node\n    gate: { acrTask: validate-base }\n'),
    [
      'basewatch.yaml:18:11: images[0].gate.checks: required: expected array',
      "basewatch.yaml:18:13: images[0].gate.acrTask: unknown key 'acrTask'; expected one of: quarantine, checks",
    ],
  ],
  [
    'a gate check with two names, and a growth without a percent sign',
    edit(
      '    target: base/node\n',
      '    target: base/node\n    gate: { checks: [ { maxGrowth: 25 }, { platforms: [linux/amd64], maxGrowth: "5%" } ] }\n',
    ),
    [
      'basewatch.yaml:18:36: images[0].gate.checks[0].maxGrowth: expected a percentage, e.g. 25%',
      'basewatch.yaml:18:42: images[0].gate.checks[1]: expected exactly one of platforms, maxGrowth, webhook, acrTask, signature, packages, found platforms and maxGrowth',
    ],
  ],
  [
    'a packages check denying a change it does not know, and a fractional maxChanges',
    edit(
      '    target: base/node\n',
      '    target: base/node\n    gate: { checks: [ { packages: { deny: [downgrade, upgrade], maxChanges: 2.5 } } ] }\n',
    ),
    [
      'basewatch.yaml:18:55: images[0].gate.checks[0].packages.deny[1]: expected one of: downgrade, remove',
      'basewatch.yaml:18:77: images[0].gate.checks[0].packages.maxChanges: expected a whole number of package changes, 0 or more',
    ],
  ],
  [
    'a packages check with a negative maxChanges, a bad package name, and one with no rule at all',
    edit(
      '    target: base/node\n',
      '    target: base/node\n    gate: { checks: [ { packages: { maxChanges: -1, forbid: ["tel net"] } }, { packages: {} } ] }\n',
    ),
    [
      'basewatch.yaml:18:49: images[0].gate.checks[0].packages.maxChanges: expected a whole number of package changes, 0 or more',
      'basewatch.yaml:18:62: images[0].gate.checks[0].packages.forbid[0]: expected a package name, e.g. telnet',
      'basewatch.yaml:18:90: images[0].gate.checks[1].packages: expected at least one of deny, maxChanges, forbid',
    ],
  ],
  [
    'a packages check with a key of another check',
    edit(
      '    target: base/node\n',
      '    target: base/node\n    gate: { checks: [ { packages: { deny: [remove], max: 3 } } ] }\n',
    ),
    [
      "basewatch.yaml:18:53: images[0].gate.checks[0].packages.max: unknown key 'max'; expected one of: deny, maxChanges, forbid",
    ],
  ],
  [
    'a gate that is neither none nor checks',
    edit('    target: base/node\n', '    target: base/node\n    gate: yes\n'),
    ["basewatch.yaml:18:11: images[0].gate: expected 'none' or { quarantine?, checks: [...] }"],
  ],
  [
    'unknown key in an image',
    edit('    target: base/node\n', '    target: base/node\n    taget: base/x\n'),
    [
      "basewatch.yaml:18:5: images[0].taget: unknown key 'taget'; expected one of: source, tags, tagPolicy, target, gate, schedule, platforms, rateLimit, referrers",
    ],
  ],
  [
    'literal password',
    edit('password: env:DOCKERHUB_TOKEN', 'password: dckr_pat_s3cr3t'),
    [
      'basewatch.yaml:9:60: credentials["docker.io"].password: expected a secret reference env:NAME (a literal secret is not accepted here)',
    ],
  ],
  [
    'literal webhook secret',
    edit('secret: env:HOOK_SECRET', 'secret: hunter2'),
    [
      'basewatch.yaml:42:105: notifications.webhooks[0].secret: expected a secret reference env:NAME (a literal secret is not accepted here)',
    ],
  ],
  [
    'five-field cron',
    edit('schedule: "0 */10 * * * *"', 'schedule: "*/10 * * * *"'),
    [
      "basewatch.yaml:11:13: defaults.schedule: invalid NCRONTAB schedule '*/10 * * * *': expected 6 fields (second minute hour day month day-of-week), found 5",
    ],
  ],
  [
    'hour out of range',
    edit('schedule: "0 0 * * * *"', 'schedule: "0 0 25 * * *"'),
    [
      "basewatch.yaml:23:15: images[1].schedule: invalid NCRONTAB schedule '0 0 25 * * *': hour field '25': 25 is outside 0-23",
    ],
  ],
  [
    'source with a tag',
    edit('source: docker.io/library/node', 'source: docker.io/library/node:20'),
    [
      "basewatch.yaml:15:13: images[0].source: 'docker.io/library/node:20' names a tag or digest; expected a repository (list tags under tags or tagPolicy)",
    ],
  ],
  [
    'upper-case source',
    edit('source: python', 'source: Python'),
    [
      "basewatch.yaml:19:13: images[1].source: invalid image reference 'Python': repository 'library/Python' must be lower case",
    ],
  ],
  [
    'tags and tagPolicy together',
    edit('    target: base/python', '    tags: ["3.12"]\n    target: base/python'),
    ['basewatch.yaml:20:16: images[1].tagPolicy: tags and tagPolicy exclude each other: give one'],
  ],
  [
    'neither tags nor tagPolicy',
    edit('    tags: ["20-alpine", "22-alpine"]\n', ''),
    ['basewatch.yaml:15:5: images[0]: expected tags or tagPolicy'],
  ],
  [
    'bad semver range',
    edit('semver: ">=3.11"', 'semver: "three"'),
    [`basewatch.yaml:20:26: images[1].tagPolicy.semver: 'three' is not a semver range (e.g. ">=20 <23")`],
  ],
  [
    'bad tag regex',
    edit('match: "-slim$"', 'match: "(slim"'),
    [
      'basewatch.yaml:20:43: images[1].tagPolicy.match: not a regular expression: Invalid regular expression: /(slim/: Unterminated group',
    ],
  ],
  [
    'latest is not a positive integer',
    edit('latest: 2', 'latest: 0'),
    ['basewatch.yaml:20:61: images[1].tagPolicy.latest: Too small: expected number to be >=1'],
  ],
  [
    'bad platform',
    edit('platforms: [linux/amd64]', 'platforms: [amd64]'),
    ['basewatch.yaml:22:17: images[1].platforms[0]: expected os/architecture[/variant], e.g. linux/arm64'],
  ],
  [
    'target with a tag',
    edit('target: base/node', 'target: base/node:20'),
    [
      "basewatch.yaml:17:13: images[0].target: 'base/node:20' names a tag or digest; expected a repository in the private registry",
    ],
  ],
  [
    'app missing its rebuild',
    edit('    rebuild: { rebase: true }\n', ''),
    ['basewatch.yaml:30:5: apps[1].rebuild: required: expected object'],
  ],
  [
    'two rebuild methods',
    edit('rebuild: { rebase: true }', 'rebuild: { rebase: true, acrTask: x }'),
    [
      'basewatch.yaml:34:14: apps[1].rebuild: expected exactly one of acrTask, rebase, webhook, found acrTask and rebase',
    ],
  ],
  [
    'bad base image reference',
    edit('baseImages: [base/node:20-alpine]', 'baseImages: [base/node:20 alpine]'),
    [
      "basewatch.yaml:28:18: apps[0].baseImages[0]: invalid image reference 'base/node:20 alpine': reference contains whitespace",
    ],
  ],
  [
    'duplicate app name',
    edit('name: reports', 'name: orders-api'),
    ['basewatch.yaml:35:11: apps[2].name: app name orders-api is already used by apps[0]'],
  ],
  [
    'app pushing into a private copy',
    edit('image: apps/reports', 'image: base/node:custom'),
    [
      'basewatch.yaml:36:12: apps[2].image: base/node holds the private copy of images[0]; an app must push to its own repository',
    ],
  ],
  [
    'app image in another registry',
    edit('image: apps/reports', 'image: ghcr.io/acme/reports:1'),
    [
      "basewatch.yaml:36:12: apps[2].image: 'ghcr.io/acme/reports:1' names registry ghcr.io; expected an image in the private registry",
    ],
  ],
  [
    'two apps building one image',
    edit('image: apps/reports', 'image: apps/orders-api:1'),
    ['basewatch.yaml:36:12: apps[2].image: image apps/orders-api:1 is already built by apps[0]'],
  ],
  [
    'configured bases forming a cycle',
    edit('baseImages: [base/node:20-alpine]', 'baseImages: [apps/orders-worker:1]'),
    [
      'basewatch.yaml:28:17: apps[0].baseImages: dependency cycle (→ reads "is built FROM"): orders-api (apps/orders-api:1) → orders-worker (apps/orders-worker:1) → orders-api (apps/orders-api:1)',
    ],
  ],
  [
    'bad subscription id',
    edit('subscriptionId: 00000000-0000-0000-0000-000000000000', 'subscriptionId: my-sub'),
    ['basewatch.yaml:5:21: registry.acr.subscriptionId: expected a subscription id (a GUID)'],
  ],
  [
    'unknown event type',
    edit('types: [basewatch.rebuild.failed]', 'types: [rebuild.failed]'),
    [
      'basewatch.yaml:42:70: notifications.webhooks[0].types[0]: expected one of: basewatch.upstream.changed, basewatch.image.imported, basewatch.image.import_failed, basewatch.image.rejected, basewatch.image.rolled_back, basewatch.rebuild.started, basewatch.rebuild.succeeded, basewatch.rebuild.failed, basewatch.rebuild.skipped, basewatch.sync.completed',
    ],
  ],
  [
    'bad registry url',
    edit('url: myregistry.azurecr.io', 'url: ftp://myregistry'),
    [
      "basewatch.yaml:3:8: registry.url: 'ftp://myregistry' is not a registry host, http(s)://host[:port] or oci-layout:PATH",
    ],
  ],
  [
    'wrong type',
    edit('rateLimit: { minRemaining: 10 }', 'rateLimit: { minRemaining: ten }'),
    ['basewatch.yaml:13:30: defaults.rateLimit.minRemaining: expected number, received string'],
  ],
  [
    'duplicate YAML key',
    edit('  schedule: "0 */10 * * * *"\n', '  schedule: "0 */10 * * * *"\n  schedule: "0 0 * * * *"\n'),
    ['basewatch.yaml:12:3: YAML: Map keys must be unique'],
  ],
  [
    'empty file',
    '# nothing yet\n',
    ['basewatch.yaml:1:1: the file is empty; expected version: 1 and the sections below it'],
  ],
  ['missing version', GOOD.replace('version: 1\n', ''), ['basewatch.yaml:1:1: version: expected version: 1']],
  ['not a mapping', '- just\n- a list\n', ['basewatch.yaml:1:1: expected object, received array']],
];

describe('the gate check packages', () => {
  it('keeps deny, maxChanges and forbid as written, and leaves out what is not', () => {
    const config = parseConfig(
      edit(
        '    target: base/node\n',
        '    target: base/node\n    gate:\n      checks:\n        - packages: { deny: [downgrade, remove], maxChanges: 20, forbid: [telnet, rsh] }\n        - packages: { maxChanges: 0 }\n',
      ),
      FILE,
    );
    expect(config.images[0]?.gate?.checks).toEqual([
      { kind: 'packages', deny: ['downgrade', 'remove'], maxChanges: 20, forbid: ['telnet', 'rsh'] },
      { kind: 'packages', deny: [], maxChanges: 0, forbid: [] },
    ]);
  });
});

describe('a bad config is rejected with file:line:column, the field and what was expected', () => {
  it.each(BAD)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('lists every problem, in file order', () => {
    const text = edit('latest: 2', 'latest: -1')
      .replace('version: 1', 'version: 3')
      .replace('name: myregistry', 'name: my');
    expect(problems(text).map((p) => p.split(': ')[0])).toEqual([
      'basewatch.yaml:1:10',
      'basewatch.yaml:7:11',
      'basewatch.yaml:20:61',
    ]);
  });

  it('never echoes a literal secret', () => {
    const secret = 'dckr_pat_AbCdEf0123456789';
    let message = '';
    try {
      parseConfig(edit('password: env:DOCKERHUB_TOKEN', `password: ${secret}`), FILE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('credentials["docker.io"].password');
    expect(message).not.toContain(secret);
  });
});

describe('loadConfig', () => {
  it('reads a file and names it in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basewatch-config-'));
    const file = join(dir, 'basewatch.yaml');
    await writeFile(file, edit('version: 1', 'version: "1"'));
    await expect(loadConfig(file)).rejects.toThrow(
      `invalid config: ${file}:1:10: version: expected version: 1`,
    );
  });

  it('reports a missing file as a config error', async () => {
    await expect(loadConfig('/nonexistent/basewatch.yaml')).rejects.toMatchObject({
      exitCode: 2,
      message: 'invalid config: /nonexistent/basewatch.yaml:1:1: cannot read config: no such file',
    });
  });

  it('accepts the sample config shipped with the project', async () => {
    const config = await loadConfig('basewatch.sample.yaml');
    expect(config.registry.location).toEqual({ kind: 'oci-layout', path: './.basewatch/mirror' });
    expect(config.apps.length).toBeGreaterThanOrEqual(2);
  });
});
