# azd postdeploy hook (Windows): same as subscribe-registry-events.sh. Needs the Azure CLI, signed in.
$ErrorActionPreference = 'Stop'
for ($attempt = 1; ; $attempt++) {
  # azd's subscription, not whichever one `az account set` last selected.
  az deployment group create `
    --subscription $env:AZURE_SUBSCRIPTION_ID `
    --resource-group $env:AZURE_CONTAINER_REGISTRY_RESOURCE_GROUP `
    --name basewatch-registry-events `
    --template-file infra/registry-events.bicep `
    --parameters systemTopicName=$env:AZURE_REGISTRY_SYSTEM_TOPIC_NAME functionAppId=$env:AZURE_FUNCTION_APP_ID `
    --output none
  if ($LASTEXITCODE -eq 0) { break }
  if ($attempt -ge 6) { throw "could not subscribe onRegistryEvent to $env:AZURE_CONTAINER_REGISTRY_NAME" }
  Write-Host "onRegistryEvent is not reachable yet (attempt $attempt); retrying in 30 s"
  Start-Sleep -Seconds 30
}
Write-Host "onRegistryEvent receives ImagePushed from $env:AZURE_CONTAINER_REGISTRY_NAME"
