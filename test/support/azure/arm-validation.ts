// Request-body checks for the fake ARM server, written from the REST specification's shapes
// (azure-rest-api-specs containerregistry: ImportImageParameters at 2025-11-01, RunRequest /
// TaskRunRequest at 2019-06-01-preview, as the arm-containerregistry 11 mappers also encode them).
// Each check returns the first problem as ARM would word it, or undefined when the body is valid.

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const IMPORT_MODES = ['NoForce', 'Force'] as const;
export const RUN_REQUEST_TYPES = [
  'DockerBuildRequest',
  'FileTaskRunRequest',
  'TaskRunRequest',
  'EncodedTaskRunRequest',
] as const;

function stringArray(value: Json, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array of strings`;
  const bad = value.findIndex((item) => typeof item !== 'string');
  return bad >= 0 ? `${path}[${bad}] must be a string` : undefined;
}

// Distribution's reference grammar: path components of lower-case alphanumerics joined by separators.
// Case is not checked, as the specification's own examples (`targetRepository:targetTag`) use upper case.
const REPOSITORY = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*';
const TAG = '[\\w][\\w.-]{0,127}';
/** `repo[:tag]`: ImportImageParameters.targetTags ("When tag is omitted the source will be used"). */
const TARGET_TAG = new RegExp(`^${REPOSITORY}(?::${TAG})?$`, 'i');
/** ImportSource.sourceImage: `repo`, `repo:tag` or `repo@sha256:…`. */
const SOURCE_IMAGE = new RegExp(`^${REPOSITORY}(?::${TAG}|@sha256:[a-f0-9]{64})?$`, 'i');
/** ImportSource.registryUri: an address such as `mcr.microsoft.com` or `host:port` — a host, not a URL. */
const REGISTRY_ADDRESS =
  /^(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
/** ImportSource.resourceId: the ARM id of a source container registry. */
const REGISTRY_RESOURCE_ID =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.ContainerRegistry\/registries\/[a-z0-9]{5,50}$/i;

/** ImportImageParameters: `source` (ImportSource) required; `targetTags`, `untaggedTargetRepositories`, `mode` optional. */
export function checkImportImageParameters(body: Json): string | undefined {
  if (!isObject(body)) return 'the request body must be a JSON object (ImportImageParameters)';
  const source = body.source;
  if (source === undefined) return "required property 'source' is missing";
  if (!isObject(source)) return "'source' must be an object (ImportSource)";
  if (typeof source.sourceImage !== 'string' || source.sourceImage === '') {
    return "required property 'source.sourceImage' is missing or not a string";
  }
  if (!SOURCE_IMAGE.test(source.sourceImage)) {
    return `'source.sourceImage' '${source.sourceImage}' must be repository, repository:tag or repository@sha256:digest`;
  }
  const hasUri = source.registryUri !== undefined;
  const hasId = source.resourceId !== undefined;
  if (hasUri && typeof source.registryUri !== 'string') return "'source.registryUri' must be a string";
  if (hasId && typeof source.resourceId !== 'string') return "'source.resourceId' must be a string";
  if (!hasUri && !hasId) return "one of 'source.registryUri' or 'source.resourceId' must be given";
  if (hasUri && hasId) return "give 'source.registryUri' or 'source.resourceId', not both";
  if (hasUri && !REGISTRY_ADDRESS.test(source.registryUri as string)) {
    return `'source.registryUri' '${source.registryUri}' is not a registry address (e.g. 'mcr.microsoft.com')`;
  }
  if (hasId && !REGISTRY_RESOURCE_ID.test(source.resourceId as string)) {
    return `'source.resourceId' '${source.resourceId}' is not the resource id of a container registry`;
  }
  if (source.credentials !== undefined) {
    const credentials = source.credentials;
    if (!isObject(credentials)) return "'source.credentials' must be an object (ImportSourceCredentials)";
    if (typeof credentials.password !== 'string') {
      return "required property 'source.credentials.password' is missing or not a string";
    }
    if (credentials.username !== undefined && typeof credentials.username !== 'string') {
      return "'source.credentials.username' must be a string";
    }
  }
  if (body.targetTags !== undefined) {
    const problem = stringArray(body.targetTags, 'targetTags');
    if (problem) return problem;
    const bad = (body.targetTags as string[]).find((tag) => !TARGET_TAG.test(tag));
    if (bad !== undefined) return `target tag '${bad}' must be repository[:tag]`;
  }
  if (body.untaggedTargetRepositories !== undefined) {
    const problem = stringArray(body.untaggedTargetRepositories, 'untaggedTargetRepositories');
    if (problem) return problem;
    const bad = (body.untaggedTargetRepositories as string[]).find(
      (repository) => !new RegExp(`^${REPOSITORY}$`, 'i').test(repository),
    );
    if (bad !== undefined) return `untagged target repository '${bad}' is not a repository name`;
  }
  if (body.mode !== undefined && !IMPORT_MODES.includes(body.mode as never)) {
    return `'mode' must be one of ${IMPORT_MODES.join(', ')}, not ${JSON.stringify(body.mode)}`;
  }
  return undefined;
}

function checkArguments(value: Json, path: string): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array`;
  for (const [i, item] of value.entries()) {
    if (!isObject(item)) return `${path}[${i}] must be an object`;
    if (typeof item.name !== 'string') return `required property '${path}[${i}].name' is missing`;
    if (typeof item.value !== 'string') return `required property '${path}[${i}].value' is missing`;
    if (item.isSecret !== undefined && typeof item.isSecret !== 'boolean') {
      return `'${path}[${i}].isSecret' must be a boolean`;
    }
  }
  return undefined;
}

/** RunRequest, discriminated by `type`; only TaskRunRequest is checked in depth (the one basewatch sends). */
export function checkRunRequest(body: Json): string | undefined {
  if (!isObject(body)) return 'the request body must be a JSON object (RunRequest)';
  if (typeof body.type !== 'string') return "required property 'type' is missing";
  if (!RUN_REQUEST_TYPES.includes(body.type as never)) {
    return `'type' must be one of ${RUN_REQUEST_TYPES.join(', ')}, not ${JSON.stringify(body.type)}`;
  }
  if (body.type !== 'TaskRunRequest') return `the fake ARM server only runs TaskRunRequest, not ${body.type}`;
  if (typeof body.taskId !== 'string' || body.taskId === '') {
    return "required property 'taskId' is missing or not a string";
  }
  // RunRequest's own properties, which every type shares.
  if (body.isArchiveEnabled !== undefined && typeof body.isArchiveEnabled !== 'boolean') {
    return "'isArchiveEnabled' must be a boolean";
  }
  for (const field of ['agentPoolName', 'logTemplate'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string') return `'${field}' must be a string`;
  }
  const override = body.overrideTaskStepProperties;
  if (override === undefined) return undefined;
  if (!isObject(override)) return "'overrideTaskStepProperties' must be an object";
  for (const field of ['contextPath', 'file', 'target', 'updateTriggerToken'] as const) {
    if (override[field] !== undefined && typeof override[field] !== 'string') {
      return `'overrideTaskStepProperties.${field}' must be a string`;
    }
  }
  for (const field of ['arguments', 'values'] as const) {
    if (override[field] === undefined) continue;
    const problem = checkArguments(override[field], `overrideTaskStepProperties.${field}`);
    if (problem) return problem;
  }
  return undefined;
}
