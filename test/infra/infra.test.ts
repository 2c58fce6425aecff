// The infra cannot be compiled or deployed here, so these tests tie its text to the code: app settings
// against src/azure/app-settings.ts and the deployed config, parameters against their use and
// docs/deploy.md, role assignments against their principal and name. Each rule is also shown failing
// on a deliberately broken snippet, so a pass means something.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { appSettingsFor, type DurableBackend, referencedSettings } from '../../src/azure/app-settings.js';
import { parseConfig } from '../../src/config/load.js';
import { BicepFile, BicepReadError, callArguments, valueAt } from './bicep.js';
import {
  appSettingProblems,
  moduleRoleAssignmentProblems,
  parameterProblems,
  parametersFileProblems,
  roleAssignmentProblems,
} from './checks.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const bicep = (path: string): BicepFile => new BicepFile(path, read(path));

const BICEP_FILES = [
  'infra/app/api.bicep',
  'infra/app/rbac.bicep',
  'infra/app/registry.bicep',
  'infra/app/scheduler.bicep',
  'infra/main.bicep',
  'infra/registry-events.bicep',
];
// Deployed directly (by azd, by the postdeploy hook), so their parameters are the operator's to know.
const DEPLOYED_FILES = ['infra/main.bicep', 'infra/registry-events.bicep'];
const DEPLOY_GUIDE = 'docs/deploy.md';

const BACKENDS: readonly DurableBackend[] = ['scheduler', 'storage'];
const codeSettings = (backend: DurableBackend) => appSettingsFor(backend).map((setting) => setting.name);
const deployedConfig = 'infra/basewatch.azure.yaml';
const configReferences = referencedSettings(parseConfig(read(deployedConfig), deployedConfig));

/** The settings the infra gives the app with `backend`: appSettings is the common ones plus the backend's. */
function infraSettings(api: BicepFile, backend: DurableBackend): string[] {
  const union =
    /^var appSettings = union\(commonSettings, durableBackend == 'scheduler' \? schedulerSettings : storageBackendSettings\)$/m;
  if (!union.test(api.text))
    throw new Error(`${api.file}: appSettings is not union(commonSettings, <backend's>)`);
  const own = backend === 'scheduler' ? 'schedulerSettings' : 'storageBackendSettings';
  return [...api.varObject('commonSettings').entries.keys(), ...api.varObject(own).entries.keys()];
}

describe('the infra files', () => {
  it('are all checked: every .bicep under infra/ is in the list', () => {
    const found = readdirSync(new URL('infra/', root), { recursive: true })
      .map(String)
      .filter((path) => path.endsWith('.bicep'))
      .map((path) => `infra/${path}`)
      .sort();
    expect(found).toEqual(BICEP_FILES);
  });
});

describe('app settings', () => {
  it.each(BACKENDS)(
    'with the %s backend the infra sets every setting the code and the deployed config read, and nothing nobody reads',
    (backend) => {
      const problems = appSettingProblems({
        infra: infraSettings(bicep('infra/app/api.bicep'), backend),
        code: codeSettings(backend),
        configReferences,
      });
      expect(problems).toEqual([]);
    },
  );

  it("a backend's settings are not set with the other backend", () => {
    const api = bicep('infra/app/api.bicep');
    expect(infraSettings(api, 'storage')).not.toContain('DURABLE_TASK_SCHEDULER_CONNECTION_STRING');
    expect(
      infraSettings(api, 'scheduler').filter((name) => name.startsWith('AzureFunctionsJobHost__')),
    ).toEqual([]);
    // The rule itself: the scheduler's connection under the storage backend is a setting nobody reads.
    expect(
      appSettingProblems({
        infra: [...infraSettings(api, 'storage'), 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'],
        code: codeSettings('storage'),
        configReferences,
      }),
    ).toEqual([
      'DURABLE_TASK_SCHEDULER_CONNECTION_STRING: the infra sets it but neither the code, the deployed config nor the platform reads it',
    ]);
  });

  it('the deployed config refers to the Docker Hub credentials and the notifications topic', () => {
    expect(configReferences).toEqual(['BASEWATCH_TOPIC_ENDPOINT', 'DOCKERHUB_TOKEN', 'DOCKERHUB_USERNAME']);
  });

  it('the Function App receives exactly that object, replacing what it had', () => {
    const site = bicep('infra/app/api.bicep')
      .declarations()
      .find((d) => d.symbol === 'site');
    expect(valueAt(site?.body ?? { entries: new Map() }, 'params.configs')?.raw).toBe(
      "[{ name: 'appsettings', retainCurrentAppSettings: false, properties: appSettings }]",
    );
  });

  it('Flex Consumption gets the worker runtime, node 22, from functionAppConfig', () => {
    const site = bicep('infra/app/api.bicep')
      .declarations()
      .find((d) => d.symbol === 'site');
    const body = site?.body ?? { entries: new Map() };
    expect(valueAt(body, 'params.functionAppConfig.runtime.name')?.raw).toBe("'node'");
    expect(valueAt(body, 'params.functionAppConfig.runtime.version')?.raw).toBe("'22'");
  });

  it('the Docker Hub token is a Key Vault reference resolved with the app identity', () => {
    const api = bicep('infra/app/api.bicep');
    expect(api.varObject('commonSettings').entries.get('DOCKERHUB_TOKEN')?.raw).toMatch(
      /^'@Microsoft\.KeyVault\(SecretUri=\$\{\w+\}\)'$/,
    );
    const site = api.declarations().find((d) => d.symbol === 'site');
    expect(
      valueAt(site?.body ?? { entries: new Map() }, 'params.keyVaultAccessIdentityResourceId')?.raw,
    ).toBe('identityId');
  });

  // The rule on fixed lists, so the proof does not move when src/azure/app-settings.ts changes.
  const code = ['AZURE_CLIENT_ID', 'BASEWATCH_CONFIG'];

  it('fails when the infra omits a setting the code reads', () => {
    const api = new BicepFile(
      'broken.bicep',
      "var appSettings = {\n  BASEWATCH_CONFIG: 'basewatch.yaml'\n}\n",
    );
    const problems = appSettingProblems({
      infra: [...api.varObject('appSettings').entries.keys()],
      code,
      configReferences: [],
    });
    expect(problems).toEqual(['AZURE_CLIENT_ID: the code reads it but the infra does not set it']);
  });

  it('fails when the infra omits a setting the deployed config refers to', () => {
    const problems = appSettingProblems({ infra: code, code, configReferences: ['HOOK_SECRET'] });
    expect(problems).toEqual(['HOOK_SECRET: the deployed config refers to it but the infra does not set it']);
  });

  it('fails when the infra sets a setting nobody reads, even one close to a platform name', () => {
    const problems = appSettingProblems({
      infra: [...code, 'AzureWebJobsStorage__clientId', 'AzureWebJobsStorage__clientID'],
      code,
      configReferences: [],
    });
    expect(problems).toEqual([
      'AzureWebJobsStorage__clientID: the infra sets it but neither the code, the deployed config nor the platform reads it',
    ]);
  });

  it('fails when FUNCTIONS_WORKER_RUNTIME is an app setting, which Flex Consumption refuses', () => {
    const problems = appSettingProblems({
      infra: [...code, 'FUNCTIONS_WORKER_RUNTIME'],
      code: [...code, 'FUNCTIONS_WORKER_RUNTIME'],
      configReferences: [],
    });
    expect(problems).toEqual([
      'FUNCTIONS_WORKER_RUNTIME: Flex Consumption rejects it as an app setting; it comes from functionAppConfig.runtime.name',
    ]);
    expect(
      appSettingProblems({ infra: code, code: [...code, 'FUNCTIONS_WORKER_RUNTIME'], configReferences: [] }),
    ).toEqual([]);
  });
});

describe('parameters', () => {
  const guide = { name: DEPLOY_GUIDE, text: read(DEPLOY_GUIDE) };

  it.each(BICEP_FILES)('%s uses every parameter it declares', (path) => {
    expect(parameterProblems(bicep(path))).toEqual([]);
  });

  it.each(DEPLOYED_FILES)('%s has every parameter documented in docs/deploy.md', (path) => {
    expect(parameterProblems(bicep(path), guide)).toEqual([]);
  });

  it('main.parameters.json sets only declared parameters and every one without a default', () => {
    expect(parametersFileProblems(bicep('infra/main.bicep'), read('infra/main.parameters.json'))).toEqual([]);
  });

  it('fails on a parameter that is declared but never used (comments and plain strings do not count)', () => {
    const file = new BicepFile(
      'broken.bicep',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, not a JavaScript one
      "param used string\nparam unused string\n// unused is only mentioned\nvar x = '${used} unused'\n",
    );
    expect(parameterProblems(file)).toEqual(['broken.bicep:2: parameter unused is declared but never used']);
  });

  it('does not count object keys or properties as uses', () => {
    const file = new BicepFile('broken.bicep', 'param name string\nvar x = {\n  name: other.name\n}\n');
    expect(parameterProblems(file)).toEqual(['broken.bicep:1: parameter name is declared but never used']);
  });

  it('fails on a parameter the guide does not document', () => {
    const file = new BicepFile('broken.bicep', 'param secretSauce string\noutput x string = secretSauce\n');
    expect(parameterProblems(file, guide)).toEqual([
      `broken.bicep:1: parameter secretSauce is not documented in ${DEPLOY_GUIDE}`,
    ]);
  });

  it('fails when main.parameters.json and main.bicep disagree', () => {
    const main = new BicepFile('main.bicep', "param needed string\nparam optional string = ''\n");
    const json = JSON.stringify({ parameters: { optional: { value: 'x' }, stale: { value: 'y' } } });
    expect(parametersFileProblems(main, json)).toEqual([
      'main.parameters.json sets stale, which main.bicep does not declare',
      'main.bicep parameter needed has no default and main.parameters.json does not set it',
    ]);
  });
});

describe('role assignments', () => {
  it.each(BICEP_FILES)(
    '%s names each assignment guid(scope, principal, role) and gives its principal',
    (path) => {
      expect(roleAssignmentProblems(bicep(path))).toEqual([]);
      expect(moduleRoleAssignmentProblems(bicep(path))).toEqual([]);
    },
  );

  it('grant exactly the storage, telemetry, Event Grid, Key Vault and registry roles basewatch needs', () => {
    // Each assignment's role: the GUID behind `subscriptionResourceId(…, variable)`, or the expression itself.
    const roleIds = BICEP_FILES.flatMap((path) => {
      const file = bicep(path);
      return file
        .declarations()
        .filter((d) => d.type.startsWith('Microsoft.Authorization/roleAssignments@'))
        .map((d) => {
          const raw = valueAt(d.body, 'properties.roleDefinitionId')?.raw ?? '';
          const role = callArguments(raw, 'subscriptionResourceId')?.[1] ?? raw;
          return roleVar(file, role) || role;
        });
    });
    expect(roleIds.sort()).toEqual(
      [
        "'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'", // Storage Blob Data Owner
        "'974c5e8b-45b9-4653-ba55-5f855dd0fb88'", // Storage Queue Data Contributor
        "'0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'", // Storage Table Data Contributor
        "'3913510d-42f4-4e42-8a64-420c390055eb'", // Monitoring Metrics Publisher
        "'d5a91429-5739-47e2-a06b-3470a27159e7'", // EventGrid Data Sender
        "'4633458b-17de-408a-b874-0445c86b69e6'", // Key Vault Secrets User
        "'0ad04412-c4d5-4796-b79c-f76d14c8d402'", // Durable Task Data Contributor
        'registryOperatorRole.name', // the custom registry role below
      ].sort(),
    );
  });

  it('the custom registry role allows exactly the ACR operations the adapters call', () => {
    expect(bicep('infra/app/registry.bicep').varStrings('registryActions').sort()).toEqual(
      [
        'Microsoft.ContainerRegistry/registries/importImage/action',
        'Microsoft.ContainerRegistry/registries/scheduleRun/action',
        'Microsoft.ContainerRegistry/registries/operationStatuses/read',
        'Microsoft.ContainerRegistry/registries/runs/read',
        'Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action',
        'Microsoft.ContainerRegistry/registries/tasks/read',
        'Microsoft.ContainerRegistry/registries/tasks/listDetails/action',
        'Microsoft.ContainerRegistry/registries/pull/read',
      ].sort(),
    );
  });

  const assignment = (name: string, principal: string) =>
    new BicepFile(
      'broken.bicep',
      [
        "resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
        `  name: ${name}`,
        '  scope: storage',
        '  properties: {',
        "    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobOwner)",
        principal,
        '  }',
        '}',
        '',
      ].join('\n'),
    );

  it('fails on an assignment without a principal', () => {
    expect(roleAssignmentProblems(assignment('guid(storage.id, principalId, blobOwner)', ''))).toEqual([
      'broken.bicep:1: role assignment ra has no principalId',
    ]);
    expect(
      roleAssignmentProblems(assignment('guid(storage.id, principalId, blobOwner)', "    principalId: ''")),
    ).toEqual(['broken.bicep:1: role assignment ra has no principalId']);
  });

  it('fails on an assignment not named guid(scope, principal, role)', () => {
    const principal = '    principalId: principalId';
    expect(roleAssignmentProblems(assignment("'fixed-name'", principal))).toEqual([
      "broken.bicep:1: role assignment ra is named 'fixed-name', not guid(scope, principal, role)",
    ]);
    expect(roleAssignmentProblems(assignment('guid(storage.id, blobOwner)', principal))).toEqual([
      'broken.bicep:1: role assignment ra is named guid(storage.id, blobOwner), not guid(scope, principal, role)',
    ]);
    expect(
      roleAssignmentProblems(assignment('guid(resourceGroup().id, principalId, blobOwner)', principal)),
    ).toEqual(["broken.bicep:1: role assignment ra: guid's scope resourceGroup().id is not storage.id"]);
    expect(
      roleAssignmentProblems(assignment('guid(storage.id, otherPrincipal, blobOwner)', principal)),
    ).toEqual([
      "broken.bicep:1: role assignment ra: guid's principal otherPrincipal is not the principalId principalId",
    ]);
    expect(roleAssignmentProblems(assignment('guid(storage.id, principalId, blob)', principal))).toEqual([
      "broken.bicep:1: role assignment ra: guid's role blob is not the role it assigns (subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobOwner))",
    ]);
  });

  it('fails on role assignments handed to an AVM module, which the rules above cannot see', () => {
    const file = new BicepFile(
      'broken.bicep',
      "module kv 'br/public:avm/res/key-vault/vault:0.14.0' = {\n  params: {\n    roleAssignments: []\n  }\n}\n",
    );
    expect(moduleRoleAssignmentProblems(file)).toEqual([
      'broken.bicep:3: roleAssignments passed to a module; declare a roleAssignments resource instead',
    ]);
  });
});

describe('wiring', () => {
  it('the registry delivers ImagePushed to the function onRegistryEvent', () => {
    const subscription = bicep('infra/registry-events.bicep')
      .declarations()
      .find((d) => d.type.startsWith('Microsoft.EventGrid/systemTopics/eventSubscriptions@'));
    const body = subscription?.body ?? { entries: new Map() };
    expect(valueAt(body, 'properties.destination.endpointType')?.raw).toBe("'AzureFunction'");
    expect(valueAt(body, 'properties.destination.properties.resourceId')?.raw).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, not a JavaScript one
      "'${functionAppId}/functions/onRegistryEvent'",
    );
    expect(valueAt(body, 'properties.filter.includedEventTypes')?.raw).toBe(
      "['Microsoft.ContainerRegistry.ImagePushed']",
    );
  });

  it('storage, Application Insights and the notifications topic accept only Entra identities', () => {
    const modules = new Map(
      bicep('infra/main.bicep')
        .declarations()
        .map((d) => [d.symbol, d.body]),
    );
    const param = (symbol: string, path: string) =>
      valueAt(modules.get(symbol) ?? { entries: new Map() }, `params.${path}`)?.raw;
    expect(param('storage', 'allowSharedKeyAccess')).toBe('false');
    expect(param('appInsights', 'disableLocalAuth')).toBe('true');
    expect(param('notificationsTopic', 'disableLocalAuth')).toBe('true');
    expect(param('plan', 'skuName')).toBe("'FC1'");
  });

  it('azure.yaml names the function app service and its hooks exist', () => {
    const azure = parseYaml(read('azure.yaml')) as {
      services: { api: Record<string, unknown> };
      hooks: { postdeploy: { posix: { run: string }; windows: { run: string } } };
    };
    expect(azure.services.api).toMatchObject({ project: '.', language: 'ts', host: 'function' });
    for (const hook of [azure.hooks.postdeploy.posix.run, azure.hooks.postdeploy.windows.run]) {
      expect(read(hook)).toContain('infra/registry-events.bicep');
    }
  });

  it("the hooks run az in azd's subscription, not the one az has selected", () => {
    const hooks = {
      'infra/hooks/subscribe-registry-events.sh': '--subscription "$AZURE_SUBSCRIPTION_ID"',
      'infra/hooks/subscribe-registry-events.ps1': '--subscription $env:AZURE_SUBSCRIPTION_ID',
    };
    for (const [path, flag] of Object.entries(hooks)) {
      const code = read(path)
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .join('\n');
      // Each az command with its continuation lines.
      const commands = code.match(/\baz [a-z]+(?:[^\n]*[\\`]\n)*[^\n]*/g) ?? [];
      expect(commands.length, path).toBeGreaterThan(0);
      for (const command of commands) expect(command, path).toContain(flag);
    }
  });

  it('the hooks and the guide read only outputs main.bicep declares (or azd sets itself)', () => {
    const main = bicep('infra/main.bicep');
    const outputs = new Set([...main.text.matchAll(/^output (\w+) /gm)].map((m) => m[1]));
    const setByAzd = new Set(['AZURE_ENV_NAME', 'AZURE_SUBSCRIPTION_ID']);
    const sources = [
      'infra/hooks/subscribe-registry-events.sh',
      'infra/hooks/subscribe-registry-events.ps1',
      'infra/hooks/check-config.ts',
      DEPLOY_GUIDE,
    ];
    const mentioned = sources.flatMap((path) =>
      [...read(path).matchAll(/(?:\$env:|\$|get-value |readonly )(AZURE_\w+|BASEWATCH_TOPIC_\w+)/g)].map(
        (m) => ({ path, name: m[1] as string }),
      ),
    );
    expect(new Set(mentioned.map((r) => r.path)).size).toBe(sources.length);
    const unknown = mentioned.filter(({ name }) => !outputs.has(name) && !setByAzd.has(name));
    expect(unknown).toEqual([]);
  });

  it('README links the deploy guide', () => {
    expect(read('README.md')).toContain('(docs/deploy.md)');
  });
});

describe('the Bicep reader', () => {
  it('counts uses inside interpolations, also within nested strings', () => {
    const file = new BicepFile(
      'ok.bicep',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, not a JavaScript one
      "param a string\nparam b string\nvar x = '${concat('${a}', b)}'\n",
    );
    expect(parameterProblems(file)).toEqual([]);
  });

  it('refuses constructs it does not understand instead of passing them', () => {
    const spread = new BicepFile('odd.bicep', "var appSettings = {\n  ...other\n  A: 'b'\n}\n");
    expect(() => spread.varObject('appSettings')).toThrow(BicepReadError);
    const ternary = new BicepFile('odd.bicep', "var appSettings = {\n  A: cond\n    ? 'x'\n    : 'y'\n}\n");
    expect(() => ternary.varObject('appSettings')).toThrow(/odd.bicep:3: expected key: value/);
    const computed = new BicepFile('odd.bicep', "var registryActions = [\n  'a'\n  concat('b')\n]\n");
    expect(() => computed.varStrings('registryActions')).toThrow(/only string literals/);
  });
});

/** The value of `var name = '…'` in a file, or '' when there is none. */
function roleVar(file: BicepFile, name: string): string {
  return new RegExp(`^var ${name} = ('[^']*')`, 'm').exec(file.text)?.[1] ?? '';
}
