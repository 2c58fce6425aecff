#!/bin/sh
# azd postdeploy hook: subscribe onRegistryEvent to the registry's ImagePushed events. It runs after
# the code is deployed because Event Grid validates an Azure Function endpoint on creation. azd puts
# the main.bicep outputs in the environment. Needs the Azure CLI, signed in (`az login`).
set -eu

attempt=1
# A freshly deployed Flex Consumption app can take a minute to list its functions.
# azd's subscription, not whichever one `az account set` last selected.
until az deployment group create \
  --subscription "$AZURE_SUBSCRIPTION_ID" \
  --resource-group "$AZURE_CONTAINER_REGISTRY_RESOURCE_GROUP" \
  --name basewatch-registry-events \
  --template-file infra/registry-events.bicep \
  --parameters systemTopicName="$AZURE_REGISTRY_SYSTEM_TOPIC_NAME" functionAppId="$AZURE_FUNCTION_APP_ID" \
  --output none; do
  if [ "$attempt" -ge 6 ]; then
    echo "could not subscribe onRegistryEvent to $AZURE_CONTAINER_REGISTRY_NAME after $attempt attempts" >&2
    exit 1
  fi
  echo "onRegistryEvent is not reachable yet (attempt $attempt); retrying in 30 s"
  attempt=$((attempt + 1))
  sleep 30
done
echo "onRegistryEvent receives ImagePushed from $AZURE_CONTAINER_REGISTRY_NAME"
