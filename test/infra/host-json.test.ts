// host.json as the Functions host reads it, against the app settings and the infra: the Durable Task
// Scheduler is the storage provider host.json names, the storage backend overrides it through app
// settings that must name real host.json paths, and local.settings.sample.json works under `func start`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_SETTINGS, appSettingsFor } from '../../src/azure/app-settings.js';
import { BicepFile, valueAt } from './bicep.js';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const host = JSON.parse(read('host.json')) as Record<string, unknown>;
const durableTask = (host.extensions as { durableTask: Record<string, unknown> }).durableTask;
const api = new BicepFile('infra/app/api.bicep', read('infra/app/api.bicep'));
const main = new BicepFile('infra/main.bicep', read('infra/main.bicep'));
/** The prefix with which an app setting overrides a host.json value (Learn: host.json reference, "Override host.json values"). */
const OVERRIDE = 'AzureFunctionsJobHost__';

describe('host.json', () => {
  it('uses the Durable Task Scheduler through the connection the scheduler backend sets', () => {
    expect(durableTask.storageProvider).toEqual({
      type: 'azureManaged',
      connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    });
    const scheduler = appSettingsFor('scheduler').map((setting) => setting.name);
    expect(scheduler).toContain('DURABLE_TASK_SCHEDULER_CONNECTION_STRING');
    expect(appSettingsFor('storage').map((setting) => setting.name)).not.toContain(
      'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    );
  });

  it("the scheduler's connection is the endpoint with the app identity's client id", () => {
    expect(
      api.varObject('schedulerSettings').entries.get('DURABLE_TASK_SCHEDULER_CONNECTION_STRING')?.raw,
    ).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, not a JavaScript one
      "'Endpoint=${schedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'",
    );
  });

  it('with the storage backend, app settings turn the provider back into Azure Storage on AzureWebJobsStorage', () => {
    const overrides = api.varObject('storageBackendSettings').entries;
    expect(overrides.get(`${OVERRIDE}extensions__durableTask__storageProvider__type`)?.raw).toBe(
      "'AzureStorage'",
    );
    expect(
      overrides.get(`${OVERRIDE}extensions__durableTask__storageProvider__connectionStringName`)?.raw,
    ).toBe("'AzureWebJobsStorage'");
  });

  it('every override setting names a value host.json has, so it overrides something', () => {
    const overrides = APP_SETTINGS.map((setting) => setting.name).filter((name) => name.startsWith(OVERRIDE));
    expect(overrides.length).toBeGreaterThan(0);
    for (const name of overrides) {
      const path = name.slice(OVERRIDE.length).split('__');
      const value = path.reduce<unknown>(
        (at, key) => (at as Record<string, unknown> | undefined)?.[key],
        host,
      );
      expect(value, name).toBeTypeOf('string');
    }
  });

  it('asks for an extension bundle that has the Durable Task Scheduler provider (4.32.0 or later)', () => {
    const bundle = host.extensionBundle as { id: string; version: string };
    expect(bundle.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    const range = /^\[(\d+)\.(\d+)\.(\d+), 5\.0\.0\)$/.exec(bundle.version);
    expect(range, bundle.version).not.toBeNull();
    const [major, minor] = [Number(range?.[1]), Number(range?.[2])];
    expect(major === 4 && minor >= 32).toBe(true);
  });

  it('a start for an instance id that is running does not reset it (issue 11)', () => {
    expect(durableTask.overridableExistingInstanceStates).toBe('NonRunningStates');
  });

  it('names the task hub the infra creates, in letters and digits', () => {
    expect(durableTask.hubName).toMatch(/^[A-Za-z][A-Za-z0-9]{2,49}$/);
    expect(main.text).toContain(`var taskHubName = '${durableTask.hubName}'`);
  });
});

describe('the Durable backend in the infra', () => {
  const modules = new Map(main.declarations().map((d) => [d.symbol, d]));

  it("defaults to the Durable Task Scheduler, Microsoft's recommended backend", () => {
    expect(main.text).toMatch(/^param durableBackend string = 'scheduler'$/m);
    expect(main.text).toContain("@allowed(['scheduler', 'storage'])");
  });

  it('creates the scheduler and its task hub only for the scheduler backend', () => {
    expect(modules.get('scheduler')?.type).toBe('app/scheduler.bicep');
    expect(main.text).toMatch(
      /^module scheduler 'app\/scheduler\.bicep' = if \(durableBackend == 'scheduler'\) \{$/m,
    );
    const scheduler = new BicepFile('infra/app/scheduler.bicep', read('infra/app/scheduler.bicep'));
    const types = scheduler.declarations().map((d) => d.type);
    expect(types).toEqual([
      'Microsoft.DurableTask/schedulers@2025-11-01',
      'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01',
      'Microsoft.Authorization/roleAssignments@2022-04-01',
    ]);
    const assignment = scheduler.declarations().find((d) => d.symbol === 'taskHubData');
    expect(valueAt(assignment?.body ?? { entries: new Map() }, 'scope')?.raw).toBe('taskHub');
  });

  it('grants the storage queue role only when the task hub lives in storage', () => {
    const rbac = read('infra/app/rbac.bicep');
    expect(rbac).toMatch(
      /^resource storageQueue 'Microsoft\.Authorization\/roleAssignments@2022-04-01' = if \(durableBackend == 'storage'\) \{$/m,
    );
  });
});

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(read('local.settings.sample.json')) as { Values: Record<string, string> };

  it('sets every setting the app needs to start under func start, with the scheduler emulator', () => {
    // On a developer machine the host signs in to storage as the developer, not as a managed identity.
    const azureOnly = ['AzureWebJobsStorage__credential'];
    const required = appSettingsFor('scheduler').filter(
      (setting) => setting.required && !azureOnly.includes(setting.name),
    );
    expect(sample.Values).not.toHaveProperty('AzureWebJobsStorage__credential');
    for (const setting of required) expect(Object.keys(sample.Values), setting.name).toContain(setting.name);
    expect(sample.Values.DURABLE_TASK_SCHEDULER_CONNECTION_STRING).toMatch(
      /^Endpoint=http:\/\/localhost:\d+;Authentication=None$/,
    );
  });

  it('sets nothing obsolete: worker indexing is on by default in the v4 programming model', () => {
    expect(sample.Values).not.toHaveProperty('AzureWebJobsFeatureFlags');
  });
});
