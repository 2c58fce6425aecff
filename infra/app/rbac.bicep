// Built-in roles the app identity holds in the basewatch resource group, each on the one resource it
// is for. The registry's custom role is in registry.bicep (the registry may live elsewhere).
@description('Principal id of the app identity.')
param principalId string
param storageAccountName string
param appInsightsName string
param keyVaultName string
param notificationsTopicName string
@allowed(['scheduler', 'storage'])
@description('The queue role is needed only when the task hub lives in storage.')
param durableBackend string

// The host and basewatch on identity-based storage: blob leases and the app package, basewatch's state
// tables; with the storage backend also Durable Functions' queues (work items) and tables (history).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
// Application Insights with local auth disabled accepts telemetry only from this role.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
// Publish to the notifications topic without an access key.
var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'
// Read secret values: the Docker Hub token behind the Key Vault reference.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource notificationsTopic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: notificationsTopicName
}

resource storageBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (durableBackend == 'storage') {
  name: guid(storage.id, principalId, storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource notify 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(notificationsTopic.id, principalId, eventGridDataSender)
  scope: notificationsTopic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource secrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, principalId, keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
