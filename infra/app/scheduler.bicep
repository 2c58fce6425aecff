// The Durable Task Scheduler and the task hub basewatch's orchestrations run in, with the one data role
// the app identity holds on that hub. Deployed only when durableBackend is 'scheduler'.
param name string
param location string
param tags object
@description('Task hub name: host.json extensions.durableTask.hubName.')
param taskHubName string
@allowed(['Consumption', 'Dedicated'])
param sku string
@description('Principal id of the app identity that runs the orchestrations.')
param principalId string

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // The identity is the gate, as for the storage account; a Flex Consumption app has no fixed outbound address.
    ipAllowlist: ['0.0.0.0/0']
    sku: sku == 'Dedicated' ? { name: sku, capacity: 1 } : { name: sku }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

// Start, run and read orchestrations in this hub only (not the scheduler's other hubs).
var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource taskHubData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, principalId, durableTaskDataContributor)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
