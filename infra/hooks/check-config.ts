// azd prepackage hook: the basewatch.yaml about to be packaged must fit the deployment it goes to. It
// may refer only to the app settings the infra sets (the env: references of infra/basewatch.azure.yaml,
// which test/infra keeps equal to infra/app/api.bicep), and must name the registry azd provisioned.
// Run from the project folder: npx tsx infra/hooks/check-config.ts [basewatch.yaml]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { referencedSettings } from '../../src/azure/app-settings.js';
import { parseConfig } from '../../src/config/load.js';
import type { BasewatchConfig } from '../../src/config/types.js';

const TEMPLATE = 'infra/basewatch.azure.yaml';

/** What azd knows after provisioning (main.bicep outputs and the environment); unset before the first provision. */
export interface Deployment {
  readonly AZURE_SUBSCRIPTION_ID?: string;
  readonly AZURE_CONTAINER_REGISTRY_NAME?: string;
  readonly AZURE_CONTAINER_REGISTRY_RESOURCE_GROUP?: string;
  readonly AZURE_CONTAINER_REGISTRY_ENDPOINT?: string;
}

export function deploymentConfigProblems(
  config: BasewatchConfig,
  template: BasewatchConfig,
  deployment: Deployment,
): string[] {
  const problems: string[] = [];
  const provided = new Set(referencedSettings(template));
  for (const name of referencedSettings(config)) {
    if (!provided.has(name)) {
      problems.push(
        `${config.file} refers to env:${name}, which the deployment does not set; add it to infra/app/api.bicep and ${TEMPLATE}`,
      );
    }
  }
  const acr = config.registry.acr;
  if (!acr) {
    problems.push(
      `${config.file}: registry.acr is missing; on Azure basewatch imports with ACR (see docs/deploy.md)`,
    );
    return problems;
  }
  const expect = (field: string, actual: string, wanted: string | undefined) => {
    if (wanted && actual.toLowerCase() !== wanted.toLowerCase()) {
      problems.push(`${config.file}: ${field} is ${actual}, but this deployment's is ${wanted}`);
    }
  };
  expect('registry.acr.name', acr.name, deployment.AZURE_CONTAINER_REGISTRY_NAME);
  expect('registry.acr.resourceGroup', acr.resourceGroup, deployment.AZURE_CONTAINER_REGISTRY_RESOURCE_GROUP);
  expect('registry.acr.subscriptionId', acr.subscriptionId, deployment.AZURE_SUBSCRIPTION_ID);
  expect(
    'registry.url',
    config.registry.url.replace(/^https:\/\//, ''),
    deployment.AZURE_CONTAINER_REGISTRY_ENDPOINT,
  );
  return problems;
}

function main(file: string): number {
  const read = (path: string) => parseConfig(readFileSync(path, 'utf8'), path);
  const problems = deploymentConfigProblems(read(file), read(TEMPLATE), process.env);
  for (const problem of problems) console.error(problem);
  if (problems.length === 0) console.log(`${file} fits this deployment`);
  return problems.length === 0 ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = main(process.argv[2] ?? 'basewatch.yaml');
}
