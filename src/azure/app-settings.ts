// Every app setting the Function App reads, in one list; code reads them only through readAppSetting,
// so the infrastructure can be checked against this list.
import { SECRET_REFERENCE } from '../config/secret.js';

export interface AppSetting {
  readonly name: string;
  readonly purpose: string;
  /** True when the Function App does not start correctly on Azure without it. */
  readonly required: boolean;
  /** Who reads it: the Functions host and its extensions, or basewatch's own code. */
  readonly readBy: 'host' | 'basewatch';
  /** Set only with this Durable Functions backend (infra/main.bicep `durableBackend`); absent: always. */
  readonly durableBackend?: DurableBackend;
}

/** Where Durable Functions keeps orchestrations: the Durable Task Scheduler or the storage account. */
export type DurableBackend = 'scheduler' | 'storage';

export const APP_SETTINGS = [
  {
    name: 'FUNCTIONS_WORKER_RUNTIME',
    purpose:
      'language worker the host starts (node); on Flex Consumption it comes from functionAppConfig.runtime, never an app setting',
    required: true,
    readBy: 'host',
  },
  {
    name: 'AzureWebJobsStorage__accountName',
    purpose:
      "storage account of the host and basewatch's state tables (and of the task hub with the storage backend), reached with managed identity",
    required: true,
    readBy: 'host',
  },
  {
    name: 'AzureWebJobsStorage__credential',
    purpose: 'managedidentity: the host authenticates to storage with the app identity, not a key',
    required: true,
    readBy: 'host',
  },
  {
    name: 'AzureWebJobsStorage__clientId',
    purpose: 'client id of the user-assigned identity the host uses for storage',
    required: false,
    readBy: 'host',
  },
  {
    name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    purpose:
      "the Durable Task Scheduler host.json's storageProvider names: Endpoint=https://…durabletask.io;Authentication=ManagedIdentity;ClientID=<identity client id>",
    required: true,
    readBy: 'host',
    durableBackend: 'scheduler',
  },
  {
    name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type',
    purpose: "AzureStorage: overrides host.json's azureManaged, so the task hub lives in the storage account",
    required: true,
    readBy: 'host',
    durableBackend: 'storage',
  },
  {
    name: 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName',
    purpose:
      "AzureWebJobsStorage: the task hub's connection under the storage backend, instead of the scheduler's",
    required: true,
    readBy: 'host',
    durableBackend: 'storage',
  },
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    purpose: 'where the host sends logs and traces; without it nothing reaches Application Insights',
    required: false,
    readBy: 'host',
  },
  {
    name: 'BASEWATCH_CONFIG',
    purpose: 'path of basewatch.yaml inside the deployed app',
    required: true,
    readBy: 'basewatch',
  },
  {
    name: 'AZURE_CLIENT_ID',
    purpose:
      'client id of the user-assigned managed identity basewatch calls ARM, ACR and Event Grid with; unset: DefaultAzureCredential',
    required: false,
    readBy: 'basewatch',
  },
] as const satisfies readonly AppSetting[];

export type AppSettingName = (typeof APP_SETTINGS)[number]['name'];

/** The settings the Function App reads with this Durable backend. */
export function appSettingsFor(backend: DurableBackend): AppSetting[] {
  return APP_SETTINGS.filter(
    (setting: AppSetting) => setting.durableBackend === undefined || setting.durableBackend === backend,
  );
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** A listed setting's value, or undefined when unset or empty. Only listed names compile. */
export function readAppSetting(name: AppSettingName, env: Environment = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The environment variables a loaded config refers to with `env:NAME` (upstream credentials, the Event
 * Grid endpoint and key, webhook secrets). Their names are the operator's choice, so they are listed
 * from the config rather than here; the deployment must set each of them.
 */
export function referencedSettings(config: unknown): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const match = SECRET_REFERENCE.exec(value);
      if (match) names.add(match[1] as string);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) visit(item);
    }
  };
  visit(config);
  return [...names].sort();
}
