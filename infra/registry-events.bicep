// Deployed by the postdeploy hook (infra/hooks/subscribe-registry-events.*), not by main.bicep: an
// Azure Function endpoint is validated when the subscription is created, so the function
// `onRegistryEvent` must already be deployed. Scope: the registry's resource group.
@description('Name of the Event Grid system topic on the registry (azd output AZURE_REGISTRY_SYSTEM_TOPIC_NAME).')
param systemTopicName string

@description('Resource id of the Function App (azd output AZURE_FUNCTION_APP_ID).')
param functionAppId string

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource imagePushed 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: 'basewatch-image-pushed'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${functionAppId}/functions/onRegistryEvent'
        // The Functions Event Grid trigger gets one event per invocation.
        maxEventsPerBatch: 1
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: ['Microsoft.ContainerRegistry.ImagePushed']
    }
    // A push missed while the app is down still arrives within a day; the timer covers the rest.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}
