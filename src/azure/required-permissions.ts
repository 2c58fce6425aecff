// What the Function App's identity must be allowed to do, per Azure adapter, and the built-in role
// that grants it; the infrastructure assigns these and the README quotes them.

export interface RequiredPermission {
  /** The adapter call that needs it. */
  readonly usedBy: string;
  /** ARM actions (or data actions) checked by Azure. */
  readonly actions: readonly string[];
  readonly scope: 'registry' | 'subscription' | 'topic';
  /** A built-in role that grants every action, with its role definition id. */
  readonly role?: { readonly name: string; readonly id: string };
  readonly note?: string;
}

export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  {
    usedBy: 'AcrImporter: registries.beginImportImage',
    actions: ['Microsoft.ContainerRegistry/registries/importImage/action'],
    scope: 'registry',
    role: {
      name: 'Container Registry Data Importer and Data Reader',
      id: '577a9874-89fd-4f24-9dbd-b5034d0ad23a',
    },
    note: 'AcrPush is not enough: it grants no importImage action',
  },
  {
    usedBy: 'AcrImporter: polling the import (its Azure-AsyncOperation status monitor)',
    actions: ['Microsoft.ContainerRegistry/registries/operationStatuses/read'],
    scope: 'registry',
    note: 'not in the importer role; if ACR answers with a location-scoped status URL instead, Microsoft.ContainerRegistry/locations/operationResults/read is the action checked',
  },
  {
    usedBy: "AcrImporter: verifying the target tag's digest on the data plane",
    actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
    scope: 'registry',
    role: { name: 'AcrPull', id: '7f951dda-4ed3-4680-a7ca-43fe172d538d' },
    note: 'also granted by Container Registry Data Importer and Data Reader',
  },
  {
    usedBy:
      'AcrTaskRebuilder and task discovery: scheduleRun, runs get/list/listLogSasUrl, tasks list/listDetails',
    actions: [
      'Microsoft.ContainerRegistry/registries/scheduleRun/action',
      'Microsoft.ContainerRegistry/registries/runs/read',
      'Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action',
      'Microsoft.ContainerRegistry/registries/tasks/read',
      'Microsoft.ContainerRegistry/registries/tasks/listDetails/action',
    ],
    scope: 'registry',
    role: { name: 'Container Registry Tasks Contributor', id: 'fb382eab-e894-4461-af04-94435c366c3f' },
    note: 'the role can also change tasks; a custom role with exactly these actions is narrower',
  },
  {
    usedBy: 'EventGridNotifier with the app identity (no topic key configured)',
    actions: ['Microsoft.EventGrid/events/send/action'],
    scope: 'topic',
    role: { name: 'EventGrid Data Sender', id: 'd5a91429-5739-47e2-a06b-3470a27159e7' },
  },
];
