// The prepackage hook stops a deploy whose basewatch.yaml would fail on Azure: a secret reference the
// infra does not set, or a registry other than the one azd provisioned.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Deployment, deploymentConfigProblems } from '../../infra/hooks/check-config.js';
import { parseConfig } from '../../src/config/load.js';

const templateFile = 'infra/basewatch.azure.yaml';
const templateText = readFileSync(new URL(`../../${templateFile}`, import.meta.url), 'utf8');
const template = parseConfig(templateText, templateFile);
const deployment: Deployment = {
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_CONTAINER_REGISTRY_NAME: 'myregistry',
  AZURE_CONTAINER_REGISTRY_RESOURCE_GROUP: 'rg-basewatch',
  AZURE_CONTAINER_REGISTRY_ENDPOINT: 'myregistry.azurecr.io',
};

describe('deploymentConfigProblems', () => {
  it('accepts the template against the deployment it describes, and before the first provision', () => {
    expect(deploymentConfigProblems(template, template, deployment)).toEqual([]);
    expect(deploymentConfigProblems(template, template, {})).toEqual([]);
  });

  it('names a secret reference the deployment does not set', () => {
    const config = parseConfig(
      templateText.replace(
        'rebuild: { acrTask: build-orders-api }',
        'rebuild: { webhook: { url: env:CI_HOOK } }',
      ),
      'basewatch.yaml',
    );
    expect(deploymentConfigProblems(config, template, deployment)).toEqual([
      'basewatch.yaml refers to env:CI_HOOK, which the deployment does not set; add it to infra/app/api.bicep and infra/basewatch.azure.yaml',
    ]);
  });

  it('names a registry other than the one azd provisioned', () => {
    const config = parseConfig(templateText.replaceAll('myregistry', 'otherregistry'), 'basewatch.yaml');
    expect(deploymentConfigProblems(config, template, deployment)).toEqual([
      "basewatch.yaml: registry.acr.name is otherregistry, but this deployment's is myregistry",
      "basewatch.yaml: registry.url is otherregistry.azurecr.io, but this deployment's is myregistry.azurecr.io",
    ]);
  });

  it('requires registry.acr, since imports on Azure go through ACR', () => {
    const config = parseConfig(templateText.replace(/ {2}acr:\n(?: {4}.*\n){3}/, ''), 'basewatch.yaml');
    expect(deploymentConfigProblems(config, template, deployment)).toEqual([
      'basewatch.yaml: registry.acr is missing; on Azure basewatch imports with ACR (see docs/deploy.md)',
    ]);
  });
});
