// basewatch on Azure: one `azd up` stands up the Function App and everything it talks to. Every
// parameter is described in docs/deploy.md; test/infra/infra.test.ts keeps this file honest.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the resource names and the default resource group.')
param environmentName string

@minLength(1)
@description('Region of the resource group and of every new resource (a region that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group for basewatch; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@minLength(5)
@maxLength(50)
@description('Name of the private registry basewatch imports into and runs ACR tasks on (the name in basewatch.yaml registry.acr.name).')
param registryName string

@description('True when registryName is a registry that already exists; false creates it in the basewatch resource group.')
param registryExists bool = false

@description('Resource group of an existing registry; empty means the basewatch resource group.')
param registryResourceGroupName string = ''

@description('Event Grid system topic the registry already has (one is allowed per registry); empty creates one.')
param registrySystemTopicName string = ''

@allowed(['Basic', 'Standard', 'Premium'])
@description('SKU of a registry this deployment creates; ignored for an existing registry.')
param registrySku string = 'Standard'

@allowed(['scheduler', 'storage'])
@description('Where Durable Functions keeps orchestrations: the Durable Task Scheduler (Microsoft\'s recommended backend) or the storage account.')
param durableBackend string = 'scheduler'

@allowed(['Consumption', 'Dedicated'])
@description('SKU of the Durable Task Scheduler; ignored with durableBackend storage.')
param schedulerSku string = 'Consumption'

@minLength(1)
@description('Docker Hub user name basewatch authenticates upstream pulls and imports with.')
param dockerHubUsername string

@description('Client id of an Entra ID app registration: set, people sign in with Entra ID (App Service authentication) before they reach the console or the operator API; empty, only function keys guard them.')
param consoleAuthClientId string = ''

@secure()
@description('Docker Hub access token; stored in Key Vault, the app only holds a reference to it.')
param dockerHubToken string

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = 'func-basewatch-${resourceToken}'
// host.json extensions.durableTask.hubName: the task hub in the scheduler, or the tables' prefix in storage.
var taskHubName = 'basewatch'
// Flex Consumption reads the app package from this blob container.
var deploymentContainerName = 'app-package-${take(resourceToken, 16)}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

// One identity for everything the app reaches: storage, ARM on the registry, Event Grid, Key Vault.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-basewatch-${resourceToken}'
    location: location
    tags: tags
  }
}

// Host storage (leases, the app package) and basewatch's state tables, plus the Durable Functions task
// hub when durableBackend is 'storage' (queues for work items, tables for history); reached with the
// identity only, shared keys are off.
module storage 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' }
    blobServices: { containers: [{ name: deploymentContainerName }] }
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: 'log-${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

// Entra-only ingestion: the app sends telemetry with its identity (Monitoring Metrics Publisher).
module appInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'appInsights'
  scope: rg
  params: {
    name: 'appi-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: 'plan'
  scope: rg
  params: {
    name: 'plan-${resourceToken}'
    location: location
    tags: tags
    skuName: 'FC1'
    kind: 'functionapp'
    reserved: true
  }
}

// The Docker Hub token lives here; the app setting is a Key Vault reference, never the value.
module keyVault 'br/public:avm/res/key-vault/vault:0.14.0' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enablePurgeProtection: false
    enableVaultForDeployment: false
    enableVaultForDiskEncryption: false
    enableVaultForTemplateDeployment: false
    secrets: [{ name: 'dockerhub-token', value: dockerHubToken }]
  }
}

// Teams' notifications: basewatch publishes CloudEvents here with its identity (no access keys).
module notificationsTopic 'br/public:avm/res/event-grid/topic:0.10.0' = {
  name: 'notificationsTopic'
  scope: rg
  params: {
    name: 'evgt-basewatch-${resourceToken}'
    location: location
    tags: tags
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
  }
}

// The registry (new or existing), its Event Grid system topic and the least-privilege ACR role live
// in the registry's resource group, which may not be ours.
module registry 'app/registry.bicep' = {
  name: 'registry'
  scope: resourceGroup(registryExists && !empty(registryResourceGroupName) ? registryResourceGroupName : rg.name)
  dependsOn: [rg]
  params: {
    name: registryName
    registryExists: registryExists
    sku: registrySku
    location: location
    tags: tags
    systemTopicName: !empty(registrySystemTopicName) ? registrySystemTopicName : 'evgst-registry-${resourceToken}'
    systemTopicExists: !empty(registrySystemTopicName)
    principalId: identity.outputs.principalId
  }
}

// Durable Functions' backend when durableBackend is 'scheduler': orchestrations live here, not in storage.
module scheduler 'app/scheduler.bicep' = if (durableBackend == 'scheduler') {
  name: 'scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    sku: schedulerSku
    principalId: identity.outputs.principalId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    planId: plan.outputs.resourceId
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: '${storage.outputs.serviceEndpoints.blob}${deploymentContainerName}'
    appInsightsConnectionString: appInsights.outputs.connectionString
    dockerHubUsername: dockerHubUsername
    dockerHubTokenSecretUri: '${keyVault.outputs.uri}secrets/dockerhub-token'
    notificationsTopicEndpoint: notificationsTopic.outputs.endpoint
    durableBackend: durableBackend
    schedulerEndpoint: durableBackend == 'scheduler' ? scheduler!.outputs.endpoint : ''
    consoleAuthClientId: consoleAuthClientId
  }
  // The Key Vault reference, identity-based storage and the task hub resolve only once the roles exist.
  dependsOn: [rbac, scheduler]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    appInsightsName: appInsights.outputs.name
    keyVaultName: keyVault.outputs.name
    notificationsTopicName: notificationsTopic.outputs.name
    durableBackend: durableBackend
  }
}

// azd stores these in the environment; the postdeploy hook and docs/deploy.md use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_APP_ID string = api.outputs.resourceId
output AZURE_FUNCTION_APP_URL string = api.outputs.url
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_RESOURCE_GROUP string = registry.outputs.resourceGroupName
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_REGISTRY_SYSTEM_TOPIC_NAME string = registry.outputs.systemTopicName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output BASEWATCH_DURABLE_BACKEND string = durableBackend
output AZURE_DURABLE_TASK_SCHEDULER_NAME string = durableBackend == 'scheduler' ? scheduler!.outputs.name : ''
output AZURE_DURABLE_TASK_HUB_NAME string = taskHubName
output BASEWATCH_TOPIC_ENDPOINT string = notificationsTopic.outputs.endpoint
output BASEWATCH_TOPIC_ID string = notificationsTopic.outputs.resourceId
