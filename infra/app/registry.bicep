// The private registry (created here or already there), the Event Grid system topic that reports its
// pushes, and the one custom role basewatch holds on it. Deployed into the registry's resource group.
param name string
@description('True when the registry already exists; false creates it.')
param registryExists bool
param sku string
param location string
param tags object
param systemTopicName string
@description('True when the registry already has this system topic; Azure allows only one per registry.')
param systemTopicExists bool
@description('Principal id of the app identity that imports images and schedules task runs.')
param principalId string

module newRegistry 'br/public:avm/res/container-registry/registry:0.12.1' = if (!registryExists) {
  name: 'registry'
  params: {
    name: name
    location: location
    tags: tags
    acrSku: sku
    acrAdminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
    networkRuleSetDefaultAction: 'Allow'
    zoneRedundancy: 'Disabled'
  }
}

// Scope and id only, so it resolves before a new registry exists; location is read only when it exists.
resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: name
}

// A system topic lives in its source's region.
module systemTopic 'br/public:avm/res/event-grid/system-topic:0.7.0' = if (!systemTopicExists) {
  name: 'registrySystemTopic'
  params: {
    name: systemTopicName
    location: registryExists ? registry.location : location
    tags: tags
    source: registry.id
    topicType: 'Microsoft.ContainerRegistry.Registries'
  }
  dependsOn: [newRegistry]
}

// Exactly what the ACR adapters call, nothing more: no built-in role has import and task runs
// without also granting writes (Contributor, Container Registry Tasks Contributor).
var registryActions = [
  'Microsoft.ContainerRegistry/registries/importImage/action' // registries.beginImportImage
  'Microsoft.ContainerRegistry/registries/scheduleRun/action' // registries.beginScheduleRun
  'Microsoft.ContainerRegistry/registries/operationStatuses/read' // polling those two long-running operations
  'Microsoft.ContainerRegistry/registries/runs/read' // runs.get, runs.list
  'Microsoft.ContainerRegistry/registries/runs/listLogSasUrl/action' // runs.getLogSasUrl
  'Microsoft.ContainerRegistry/registries/tasks/read' // tasks.list, tasks.get
  'Microsoft.ContainerRegistry/registries/tasks/listDetails/action' // tasks.getDetails (base-image dependencies)
  'Microsoft.ContainerRegistry/registries/pull/read' // verify an import: HEAD the target tag on the data plane
]

// Role names are unique per tenant, so the registry's name is part of it; assignable scopes cannot be
// a single resource, so the definition is offered in the registry's resource group and assigned on
// the registry alone.
resource registryOperatorRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(registry.id, 'basewatch registry operator')
  properties: {
    roleName: 'basewatch registry operator (${name})'
    description: 'Import images into the registry, run its ACR tasks and read their runs and logs.'
    type: 'CustomRole'
    permissions: [
      {
        actions: registryActions
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [resourceGroup().id]
  }
}

resource registryOperatorAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, principalId, registryOperatorRole.name)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', registryOperatorRole.name)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
  dependsOn: [newRegistry]
}

output name string = name
output resourceGroupName string = resourceGroup().name
output resourceId string = registry.id
output loginServer string = registryExists ? registry.properties.loginServer : newRegistry!.outputs.loginServer
output systemTopicName string = systemTopicName
