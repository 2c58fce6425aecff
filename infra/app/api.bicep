// The Function App on Flex Consumption. `appSettings` below is every setting the app gets, for either
// Durable backend; the infra test compares each shape with src/azure/app-settings.ts and the env:
// references of infra/basewatch.yaml.
param name string
param location string
param tags object
param planId string
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
@description('Client id of that identity: storage, Application Insights and basewatch pick it by this id.')
param identityClientId string
param storageAccountName string
@description('Blob container URL Flex Consumption deploys the app package from.')
param deploymentContainerUrl string
param appInsightsConnectionString string
param dockerHubUsername string
@description('Versionless Key Vault secret URI of the Docker Hub token, so a rotated token is picked up.')
param dockerHubTokenSecretUri string
param notificationsTopicEndpoint string
@allowed(['scheduler', 'storage'])
@description('Where Durable Functions keeps orchestrations; picks the settings below.')
param durableBackend string
@description('Durable Task Scheduler endpoint (https://…durabletask.io); empty with the storage backend.')
param schedulerEndpoint string
@description('Client id of the Entra ID app registration people sign in with; empty: no App Service authentication.')
param consoleAuthClientId string

var commonSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
  // Copied into the package by npm run build (dist/app, which azd deploys); relative to the app root.
  BASEWATCH_CONFIG: 'basewatch.yaml'
  DOCKERHUB_USERNAME: dockerHubUsername
  DOCKERHUB_TOKEN: '@Microsoft.KeyVault(SecretUri=${dockerHubTokenSecretUri})'
  BASEWATCH_TOPIC_ENDPOINT: notificationsTopicEndpoint
}
// host.json's storageProvider (azureManaged) names this connection: the scheduler, reached with the identity.
var schedulerSettings = {
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${schedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
}
// host.json says azureManaged; these override it so the task hub lives in the storage account instead.
var storageBackendSettings = {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'AzureStorage'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'AzureWebJobsStorage'
}
var appSettings = union(commonSettings, durableBackend == 'scheduler' ? schedulerSettings : storageBackendSettings)

module site 'br/public:avm/res/web/site:0.24.0' = {
  name: 'functionApp'
  params: {
    name: name
    location: location
    // azd finds the app to deploy the `api` service to by this tag.
    tags: union(tags, { 'azd-service-name': 'api' })
    kind: 'functionapp,linux'
    serverFarmResourceId: planId
    managedIdentities: { userAssignedResourceIds: [identityId] }
    // Key Vault references resolve with this identity instead of a system-assigned one.
    keyVaultAccessIdentityResourceId: identityId
    httpsOnly: true
    // Flex Consumption rejects alwaysOn, which the module would otherwise turn on.
    siteConfig: { alwaysOn: false, minTlsVersion: '1.2', ftpsState: 'Disabled' }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      // 40 is the smallest ceiling Flex allows; basewatch needs few instances, ACR does the heavy work.
      scaleAndConcurrency: { instanceMemoryMB: 2048, maximumInstanceCount: 40 }
      // Flex takes the worker runtime from here; FUNCTIONS_WORKER_RUNTIME as an app setting is rejected.
      runtime: { name: 'node', version: '22' }
    }
    // Not retained: a setting removed here must disappear from the app too.
    configs: [{ name: 'appsettings', retainCurrentAppSettings: false, properties: appSettings }]
  }
}

resource app 'Microsoft.Web/sites@2024-11-01' existing = {
  name: name
  dependsOn: [site]
}

// App Service authentication (Easy Auth) with Entra ID in front of the console and the operator API:
// people sign in, and the function key still guards each route. Registry pushes and Event Grid deliveries
// come from machines with their own credentials (hooks token, system key), so their paths stay open.
resource consoleAuth 'Microsoft.Web/sites/config@2024-11-01' = if (!empty(consoleAuthClientId)) {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
      excludedPaths: ['/api/hooks/registry', '/runtime/webhooks/EventGrid', '/runtime/webhooks/eventgrid']
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: consoleAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
      }
    }
    login: { tokenStore: { enabled: true } }
    httpSettings: { requireHttps: true }
  }
}

output name string = site.outputs.name
output resourceId string = site.outputs.resourceId
output url string = 'https://${site.outputs.defaultHostname}'
