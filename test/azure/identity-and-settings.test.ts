import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import {
  APP_SETTINGS,
  type AppSetting,
  appSettingsFor,
  readAppSetting,
  referencedSettings,
} from '../../src/azure/app-settings.js';
import { azureCredentialFromSettings, chooseIdentity } from '../../src/azure/credentials.js';

describe('identity', () => {
  it('uses the user-assigned managed identity whose client id is configured', () => {
    expect(chooseIdentity({ managedIdentityClientId: ' 1111-2222 ' })).toEqual({
      kind: 'managed-identity',
      clientId: '1111-2222',
    });
    expect(azureCredentialFromSettings({ AZURE_CLIENT_ID: '1111-2222' })).toBeInstanceOf(
      ManagedIdentityCredential,
    );
  });

  it('falls back to DefaultAzureCredential when no client id is set', () => {
    expect(chooseIdentity({})).toEqual({ kind: 'default' });
    expect(azureCredentialFromSettings({ AZURE_CLIENT_ID: '' })).toBeInstanceOf(DefaultAzureCredential);
  });
});

describe('app settings', () => {
  it('lists each setting once, with a purpose', () => {
    const names = APP_SETTINGS.map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    for (const setting of APP_SETTINGS) expect(setting.purpose.length).toBeGreaterThan(10);
  });

  it('gives each Durable backend the common settings plus its own, and never the other one', () => {
    const names = (backend: 'scheduler' | 'storage') =>
      appSettingsFor(backend).map((setting) => setting.name);
    const common = APP_SETTINGS.filter((setting: AppSetting) => setting.durableBackend === undefined).map(
      (setting) => setting.name,
    );
    expect(names('scheduler').sort()).toEqual([...common, 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'].sort());
    expect(names('storage').sort()).toEqual(
      [
        ...common,
        'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type',
        'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName',
      ].sort(),
    );
  });

  it('reads an empty setting as unset', () => {
    expect(readAppSetting('BASEWATCH_CONFIG', { BASEWATCH_CONFIG: '' })).toBeUndefined();
    expect(readAppSetting('BASEWATCH_CONFIG', { BASEWATCH_CONFIG: 'basewatch.yaml' })).toBe('basewatch.yaml');
  });

  it('lists the variables a config refers to', () => {
    const config = {
      credentials: { 'docker.io': { username: 'env:DOCKERHUB_USERNAME', password: 'env:DOCKERHUB_TOKEN' } },
      notifications: {
        eventGrid: { endpoint: 'env:BASEWATCH_TOPIC_ENDPOINT' },
        webhooks: [{ url: 'https://hooks.example.com/x', secret: 'env:HOOK_SECRET' }],
      },
      apps: [{ rebuild: { kind: 'webhook', url: 'env:CI_HOOK', secret: 'env:HOOK_SECRET' } }],
    };
    expect(referencedSettings(config)).toEqual([
      'BASEWATCH_TOPIC_ENDPOINT',
      'CI_HOOK',
      'DOCKERHUB_TOKEN',
      'DOCKERHUB_USERNAME',
      'HOOK_SECRET',
    ]);
  });

  it('is the only way src/azure reads the environment', async () => {
    const dir = join(import.meta.dirname, '../../src/azure');
    const offenders: string[] = [];
    for (const file of await readdir(dir)) {
      if (!file.endsWith('.ts') || file === 'app-settings.ts') continue;
      const text = await readFile(join(dir, file), 'utf8');
      // A default parameter `env = process.env` passes the environment on; reading a name from it does not.
      if (/process\.env\.|process\.env\[/.test(text)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
