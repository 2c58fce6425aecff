// The rules that tie infra/ to the code. Each returns the problems it found as sentences (empty: all
// good), so a test can show a rule failing on a broken snippet as well as passing on the real files.
import { type BicepFile, callArguments, valueAt } from './bicep.js';

/**
 * Settings the Functions platform itself reads, which basewatch's list does not have to name: the
 * infra may set these without the code reading them. Explicit names, no wildcard, so a misspelt
 * `AzureWebJobsStorage__clientID` is still caught. FUNCTIONS_EXTENSION_VERSION is not here: on Flex
 * Consumption the platform sets it and refuses it as an app setting (SET_BY_FLEX_RUNTIME).
 */
export const PLATFORM_SETTINGS: readonly string[] = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
];

/**
 * Settings Flex Consumption takes from `functionAppConfig` and rejects as app settings: the code may
 * list them, the infra satisfies them there.
 */
export const SET_BY_FLEX_RUNTIME: ReadonlyMap<string, string> = new Map([
  ['FUNCTIONS_WORKER_RUNTIME', 'functionAppConfig.runtime.name'],
  ['FUNCTIONS_EXTENSION_VERSION', 'the Flex Consumption platform (always ~4)'],
]);

export interface AppSettingSources {
  /** Names the infra sets. */
  readonly infra: readonly string[];
  /** Names basewatch's code and the Functions host read (src/azure/app-settings.ts). */
  readonly code: readonly string[];
  /** `env:NAME` references of the config deployed with the app. */
  readonly configReferences: readonly string[];
}

export function appSettingProblems({ infra, code, configReferences }: AppSettingSources): string[] {
  const problems: string[] = [];
  const set = new Set(infra);
  const read = new Set([...code, ...configReferences]);
  for (const name of [...read].sort()) {
    if (SET_BY_FLEX_RUNTIME.has(name)) continue;
    if (!set.has(name)) {
      const who = code.includes(name) ? 'the code reads' : 'the deployed config refers to';
      problems.push(`${name}: ${who} it but the infra does not set it`);
    }
  }
  for (const name of [...set].sort()) {
    if (SET_BY_FLEX_RUNTIME.has(name)) {
      problems.push(
        `${name}: Flex Consumption rejects it as an app setting; it comes from ${SET_BY_FLEX_RUNTIME.get(name)}`,
      );
    } else if (!read.has(name) && !PLATFORM_SETTINGS.includes(name)) {
      problems.push(
        `${name}: the infra sets it but neither the code, the deployed config nor the platform reads it`,
      );
    }
  }
  return problems;
}

/** Parameters declared and never used; with `documentation`, parameters it does not name in backticks. */
export function parameterProblems(
  file: BicepFile,
  documentation?: { readonly name: string; readonly text: string },
): string[] {
  const problems: string[] = [];
  for (const param of file.params()) {
    if (file.uses(param.name).length === 0) {
      problems.push(`${file.file}:${param.line}: parameter ${param.name} is declared but never used`);
    }
    if (documentation && !documentation.text.includes(`\`${param.name}\``)) {
      problems.push(
        `${file.file}:${param.line}: parameter ${param.name} is not documented in ${documentation.name}`,
      );
    }
  }
  return problems;
}

/**
 * Every role assignment names its principal and is named `guid(<scope>.id, <principal>, <role>)` with
 * the same scope, principal and role it assigns, so a redeploy finds the same assignment.
 */
export function roleAssignmentProblems(file: BicepFile): string[] {
  const problems: string[] = [];
  for (const declaration of file.declarations()) {
    if (!declaration.type.startsWith('Microsoft.Authorization/roleAssignments@')) continue;
    const where = `${file.file}:${declaration.line}: role assignment ${declaration.symbol}`;
    const principal = valueAt(declaration.body, 'properties.principalId')?.raw;
    const role = valueAt(declaration.body, 'properties.roleDefinitionId')?.raw;
    const scope = valueAt(declaration.body, 'scope')?.raw;
    const hasPrincipal = principal !== undefined && principal !== '' && principal !== "''";
    if (!hasPrincipal) problems.push(`${where} has no principalId`);
    if (!role) problems.push(`${where} has no roleDefinitionId`);
    if (!scope) problems.push(`${where} has no explicit scope`);
    const name = valueAt(declaration.body, 'name')?.raw ?? '';
    const args = callArguments(name, 'guid');
    if (args === undefined || args.length !== 3) {
      problems.push(`${where} is named ${name || '(nothing)'}, not guid(scope, principal, role)`);
      continue;
    }
    const [scopeArg, principalArg, roleArg] = args as [string, string, string];
    if (scope && scopeArg !== `${scope}.id`)
      problems.push(`${where}: guid's scope ${scopeArg} is not ${scope}.id`);
    if (hasPrincipal && principalArg !== principal) {
      problems.push(`${where}: guid's principal ${principalArg} is not the principalId ${principal}`);
    }
    if (role && !new RegExp(`(?<![\\w.])${escapeRegExp(roleArg)}(?![\\w(])`).test(role))
      problems.push(`${where}: guid's role ${roleArg} is not the role it assigns (${role})`);
  }
  return problems;
}

/** Role assignments made through an AVM module's `roleAssignments` parameter escape the rules above. */
export function moduleRoleAssignmentProblems(file: BicepFile): string[] {
  return [...file.code.matchAll(/^[ \t]*roleAssignments[ \t]*:/gm)].map(
    (m) =>
      `${file.file}:${file.lineAt(m.index)}: roleAssignments passed to a module; declare a roleAssignments resource instead`,
  );
}

/** main.parameters.json names only declared parameters and gives every parameter without a default. */
export function parametersFileProblems(main: BicepFile, parametersJson: string): string[] {
  const given = Object.keys(
    (JSON.parse(parametersJson) as { parameters: Record<string, unknown> }).parameters,
  );
  const declared = main.params();
  const problems: string[] = [];
  for (const name of given) {
    if (!declared.some((p) => p.name === name))
      problems.push(`main.parameters.json sets ${name}, which main.bicep does not declare`);
  }
  for (const param of declared) {
    if (!param.hasDefault && !given.includes(param.name)) {
      problems.push(
        `main.bicep parameter ${param.name} has no default and main.parameters.json does not set it`,
      );
    }
  }
  return problems;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
