// A local HTTPS server speaking the ARM REST contract of exactly the ACR operations basewatch uses:
// importImage (202 + Azure-AsyncOperation/Location polling), scheduleRun, runs list/get/listLogSasUrl,
// tasks list/get/listDetails. It rejects what ARM rejects: a missing or unsupported api-version, a
// missing or wrong-audience bearer token, a body that does not match the spec's shapes, unknown
// registries, tasks and runs, an operation polled under another subscription or resource group, and
// (with `roleScope: 'registry'`) anything outside the registry. Errors use ARM's body:
// {"error": {"code", "message"}}. An import succeeds only when it really copied: by default skopeo
// copies the source (an upstream `registryUri`, or this registry itself named by its `resourceId`) into
// the `dataPlane` registry; without one, every import fails.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type AcceptedImport, ArmFailure } from './arm-failure.js';
import { checkImportImageParameters, checkRunRequest } from './arm-validation.js';
import { type DataPlaneRegistry, importWithSkopeo, tagExists, targetReference } from './import-performer.js';
import { tokenFor } from './test-credential.js';
import { createLoopbackCert } from './tls.js';

/** API versions ARM serves for each group of operations (azure-rest-api-specs containerregistry). */
export const REGISTRY_API_VERSIONS = [
  '2025-11-01',
  '2025-04-01',
  '2023-07-01',
  '2022-12-01',
  '2021-09-01',
  '2019-05-01',
];
/** The object id ARM names in an AuthorizationFailed message for the test identity. */
export const CLIENT_OBJECT_ID = '11111111-2222-3333-4444-555555555555';
export const TASKS_API_VERSIONS = ['2019-06-01-preview', '2019-04-01', '2025-03-01-preview'];

export { type AcceptedImport, ArmFailure } from './arm-failure.js';

export interface BaseImageDependencyJson {
  type: 'BuildTime' | 'RunTime';
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface FakeTask {
  name: string;
  step: {
    type: 'Docker';
    imageNames: string[];
    dockerFilePath: string;
    contextPath: string;
    baseImageDependencies?: BaseImageDependencyJson[];
  };
  /** The statuses successive runs.get calls report for a run of this task, last one sticks. */
  runStatuses?: string[];
  runErrorMessage?: string;
  outputImages?: { registry: string; repository: string; tag: string; digest: string }[];
}

export interface FakeRun {
  runId: string;
  task: string;
  /** The TaskRunRequest's `taskId` as the client sent it. */
  taskId: string;
  /** `overrideTaskStepProperties.arguments` and `.values` as the client sent them. */
  arguments?: RunArgumentJson[];
  values?: RunArgumentJson[];
  statuses: string[];
  gets: number;
  updateTriggerToken?: string;
  createTime: string;
  /** Set when the client cancelled the run. */
  canceled?: boolean;
}

/** An Argument or SetValue of a TaskRunRequest's step overrides. */
export interface RunArgumentJson {
  name: string;
  value: string;
  isSecret?: boolean;
}

export interface RecordedArmRequest {
  method: string;
  path: string;
  apiVersion: string | null;
  status: number;
  errorCode?: string;
  /** The JSON body the client sent, when it sent one. */
  body?: unknown;
}

export interface FakeArmOptions {
  subscriptionId?: string;
  resourceGroup?: string;
  registry?: string;
  location?: string;
  /** The registry standing in for the ACR's data plane: imports are copied into it (by skopeo). */
  dataPlane?: DataPlaneRegistry;
  /**
   * Does the import; throw ArmFailure to fail it. Default: skopeo copies into `dataPlane`, and without
   * one the import fails. With a `dataPlane`, an import whose target tags are not there afterwards fails.
   */
  performImport?: (request: AcceptedImport) => Promise<void>;
  /**
   * Where the caller's role is assigned. `registry` (a custom role on the registry alone) refuses, as
   * ARM does, whatever lies outside it — such as the import's resource-group-scoped Location result.
   * Default `resourceGroup`.
   */
  roleScope?: 'resourceGroup' | 'registry';
}

/** An ARM error to answer instead of serving a request. */
export interface InjectedArmError {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export interface FakeArm {
  /** `https://127.0.0.1:PORT`, for the client's `$host` and `endpoint`. */
  url: string;
  /** PEM of the server's self-signed certificate, for the client's `tlsOptions.ca`. */
  ca: string;
  subscriptionId: string;
  resourceGroup: string;
  registry: string;
  requests: RecordedArmRequest[];
  tasks: Map<string, FakeTask>;
  runs: Map<string, FakeRun>;
  /** Answer the next `times` requests whose path contains `operation` with 429 and Retry-After. */
  throttle(operation: string, times: number, retryAfterSeconds: number): void;
  /** Answer the next `times` requests whose path contains `operation` with this ARM error. */
  failNext(operation: string, times: number, error: InjectedArmError): void;
  stop(): Promise<void>;
}

interface ImportOperation {
  id: string;
  /** The subscription and resource group it was started under; polls elsewhere do not find it. */
  subscriptionId: string;
  resourceGroup: string;
  polls: number;
  state: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  startTime: string;
  endTime?: string;
}

class ArmReply extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function startFakeArm(options: FakeArmOptions = {}): Promise<FakeArm> {
  const cert = await createLoopbackCert();
  const subscriptionId = options.subscriptionId ?? '00000000-0000-0000-0000-000000000000';
  const resourceGroup = options.resourceGroup ?? 'rg-images';
  const registryName = options.registry ?? 'basewatchtest';
  const location = options.location ?? 'westeurope';
  const requests: RecordedArmRequest[] = [];
  const tasks = new Map<string, FakeTask>();
  const runs = new Map<string, FakeRun>();
  const operations = new Map<string, ImportOperation>();
  const bodies = new WeakMap<IncomingMessage, unknown>();
  const injected: { operation: string; times: number; error: InjectedArmError }[] = [];
  const roleScope = options.roleScope ?? 'resourceGroup';
  const dataPlane = options.dataPlane;
  const registryPath = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${registryName}`;
  const performImport =
    options.performImport ??
    (dataPlane
      ? importWithSkopeo(dataPlane, registryPath)
      : async () => {
          throw new ArmFailure(
            'InternalServerError',
            'The fake ARM server has no data-plane registry to import into (pass dataPlane).',
          );
        });
  let runSequence = 0;
  let url = '';

  const server: Server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, req, 500, { error: { code: 'InternalServerError', message: String(error) } });
    });
  });

  function send(
    res: ServerResponse,
    req: IncomingMessage,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    const parsed = new URL(req.url ?? '/', 'https://localhost');
    const errorCode = (body as { error?: { code?: string } } | undefined)?.error?.code;
    requests.push({
      method: req.method ?? '',
      path: parsed.pathname,
      apiVersion: parsed.searchParams.get('api-version'),
      status,
      ...(errorCode !== undefined && { errorCode }),
      ...(bodies.has(req) && { body: bodies.get(req) }),
    });
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(text && { 'content-type': 'application/json; charset=utf-8' }),
      'x-ms-request-id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text === '') return undefined;
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type)) {
      throw new ArmReply(
        415,
        'UnsupportedMediaType',
        `The content media type '${type}' is not supported. Only 'application/json' is supported.`,
      );
    }
    try {
      const body: unknown = JSON.parse(text);
      bodies.set(req, body);
      return body;
    } catch {
      throw new ArmReply(
        400,
        'InvalidRequestContent',
        'The request content was invalid and could not be deserialized.',
      );
    }
  }

  function checkAuth(req: IncomingMessage): void {
    const header = req.headers.authorization;
    if (!header) {
      throw new ArmReply(
        401,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    // The audience ARM accepts is the endpoint the client was pointed at (`${endpoint}/.default`).
    if (header !== `Bearer ${tokenFor(`${url}/.default`)}`) {
      throw new ArmReply(401, 'InvalidAuthenticationToken', 'The access token is invalid.', {
        'www-authenticate':
          'Bearer authorization_uri="https://login.microsoftonline.com/", error="invalid_token"',
      });
    }
  }

  function checkApiVersion(query: URLSearchParams, supported: readonly string[], type: string): string {
    const version = query.get('api-version');
    if (version === null) {
      throw new ArmReply(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (!supported.includes(version)) {
      throw new ArmReply(
        400,
        'NoRegisteredProviderFound',
        `No registered resource provider found for location '${location}' and API version '${version}' for type '${type}'. The supported api-versions are '${supported.join(', ')}'.`,
      );
    }
    return version;
  }

  function checkInjected(path: string): void {
    const rule = injected.find((candidate) => candidate.times > 0 && path.includes(candidate.operation));
    if (!rule) return;
    rule.times -= 1;
    const { status, code, message, retryAfterSeconds } = rule.error;
    throw new ArmReply(
      status,
      code,
      message,
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    );
  }

  function checkSubscriptionId(sub: string): void {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub)) {
      throw new ArmReply(
        400,
        'InvalidSubscriptionId',
        `The provided subscription identifier '${sub}' is malformed or invalid.`,
      );
    }
  }

  /** ARM's answer to a caller whose role does not cover `scope`. */
  function checkRoleCovers(scope: string, action: string): void {
    if (roleScope === 'resourceGroup' || scope.toLowerCase().startsWith(registryPath.toLowerCase())) return;
    throw new ArmReply(
      403,
      'AuthorizationFailed',
      `The client '${CLIENT_OBJECT_ID}' with object id '${CLIENT_OBJECT_ID}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }

  function runJson(run: FakeRun): unknown {
    const task = tasks.get(run.task);
    const status = run.statuses[Math.min(run.gets, run.statuses.length - 1)] ?? 'Queued';
    const finished = ['Succeeded', 'Failed', 'Canceled', 'Error', 'Timeout'].includes(status);
    return {
      id: `${registryPath}/runs/${run.runId}`,
      name: run.runId,
      type: 'Microsoft.ContainerRegistry/registries/runs',
      properties: {
        runId: run.runId,
        status,
        runType: 'QuickRun',
        createTime: run.createTime,
        lastUpdatedTime: new Date().toISOString(),
        task: run.task,
        provisioningState: 'Succeeded',
        isArchiveEnabled: false,
        ...(run.updateTriggerToken !== undefined && { updateTriggerToken: run.updateTriggerToken }),
        ...(finished && { finishTime: new Date().toISOString() }),
        ...(status === 'Succeeded' && task?.outputImages && { outputImages: task.outputImages }),
        ...(status !== 'Succeeded' &&
          finished &&
          task?.runErrorMessage && { runErrorMessage: task.runErrorMessage }),
      },
    };
  }

  function taskJson(task: FakeTask, withCredentials: boolean): unknown {
    return {
      id: `${registryPath}/tasks/${task.name}`,
      name: task.name,
      type: 'Microsoft.ContainerRegistry/registries/tasks',
      location,
      properties: {
        provisioningState: 'Succeeded',
        status: 'Enabled',
        platform: { os: 'Linux', architecture: 'amd64' },
        agentConfiguration: { cpu: 2 },
        timeout: 3600,
        step: { ...task.step, isPushEnabled: true, noCache: false, arguments: [] },
        ...(withCredentials && { credentials: { customRegistries: {} } }),
      },
    };
  }

  function registryOperation(method: string, rest: string): { versions: readonly string[]; type: string } {
    const tasksGroup = /^\/(scheduleRun|runs|tasks)\b/.test(rest);
    if (rest === '/importImage' && method === 'POST')
      return { versions: REGISTRY_API_VERSIONS, type: 'registries' };
    if (rest.startsWith('/operationStatuses/') && method === 'GET') {
      return { versions: REGISTRY_API_VERSIONS, type: 'registries/operationStatuses' };
    }
    if (tasksGroup)
      return {
        versions: TASKS_API_VERSIONS,
        type: rest.startsWith('/tasks') ? 'registries/tasks' : 'registries/runs',
      };
    throw new ArmReply(404, 'NotFound', `The fake ARM server does not serve ${method} ${rest}.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'https://localhost');
    const method = req.method ?? 'GET';
    try {
      // The import's result (Location), shaped as in the specification's ImportImage examples.
      const result =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/locations\/([^/]+)\/operationResults\/operationStatuses\/([^/]+)$/i.exec(
          parsed.pathname,
        );
      if (result) {
        const [, sub = '', group = '', region = '', id = ''] = result;
        checkAuth(req);
        checkApiVersion(parsed.searchParams, REGISTRY_API_VERSIONS, 'locations/operationResults');
        checkSubscriptionId(sub);
        checkRoleCovers(parsed.pathname, 'Microsoft.ContainerRegistry/locations/operationResults/read');
        const operation = operations.get(id);
        // An operation is found only under the subscription, resource group and region that started it.
        if (
          !operation ||
          method !== 'GET' ||
          region.toLowerCase() !== location.toLowerCase() ||
          operation.subscriptionId.toLowerCase() !== sub.toLowerCase() ||
          operation.resourceGroup.toLowerCase() !== group.toLowerCase()
        )
          throw new ArmReply(404, 'OperationNotFound', `Operation ${id} was not found.`);
        checkInjected('/operationResults');
        reportImport(res, req, operation, false);
        return;
      }
      const match =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerRegistry\/registries\/([^/]+)(\/.*)?$/i.exec(
          parsed.pathname,
        );
      if (!match) throw new ArmReply(404, 'NotFound', `No route for ${method} ${parsed.pathname}.`);
      const [, sub, group, name, rest = ''] = match;
      checkAuth(req);
      const { versions, type } = registryOperation(method, rest);
      checkApiVersion(parsed.searchParams, versions, type);
      checkSubscriptionId(sub ?? '');
      if (!/^[a-zA-Z0-9]{5,50}$/.test(name ?? '')) {
        throw new ArmReply(
          400,
          'InvalidResourceName',
          `Registry name '${name}' must be 5-50 alphanumeric characters.`,
        );
      }
      if (
        sub?.toLowerCase() !== subscriptionId.toLowerCase() ||
        group?.toLowerCase() !== resourceGroup.toLowerCase()
      ) {
        throw new ArmReply(404, 'ResourceGroupNotFound', `Resource group '${group}' could not be found.`);
      }
      if (name?.toLowerCase() !== registryName.toLowerCase()) {
        throw new ArmReply(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.ContainerRegistry/registries/${name}' under resource group '${group}' was not found.`,
        );
      }
      checkInjected(rest);
      await route(req, res, method, rest, parsed.searchParams);
    } catch (error) {
      if (error instanceof ArmReply) {
        send(res, req, error.status, { error: { code: error.code, message: error.message } }, error.headers);
        return;
      }
      throw error;
    }
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    rest: string,
    query: URLSearchParams,
  ): Promise<void> {
    if (method === 'POST' && rest === '/importImage') return acceptImport(req, res, query);
    const monitor = /^\/operationStatuses\/([^/]+)$/.exec(rest);
    if (monitor) {
      const operation = operations.get(monitor[1] as string);
      if (!operation) throw new ArmReply(404, 'OperationNotFound', `Operation ${monitor[1]} was not found.`);
      return reportImport(res, req, operation, true);
    }
    if (method === 'POST' && rest === '/scheduleRun') return scheduleRun(req, res);
    if (method === 'GET' && rest === '/runs') return listRuns(req, res, query);
    const run = /^\/runs\/([^/]+)(\/listLogSasUrl|\/cancel)?$/.exec(rest);
    if (run) {
      const found = runs.get(run[1] as string);
      if (!found) throw new ArmReply(404, 'ResourceNotFound', `Run '${run[1]}' was not found.`);
      if (method === 'GET' && !run[2]) {
        const body = runJson(found);
        found.gets += 1;
        return send(res, req, 200, body);
      }
      if (method === 'POST' && run[2] === '/cancel') {
        // ACR answers a cancel of a run in progress, and the run reports Canceled from then on.
        found.canceled = true;
        found.statuses = ['Canceled'];
        found.gets = 0;
        return send(res, req, 200, undefined);
      }
      if (method === 'POST' && run[2]) {
        return send(res, req, 200, {
          logLink: `https://${registryName}storage.blob.core.windows.net/logs/${found.runId}/rawtext.log?sv=2019-02-02&sr=b&sp=r&sig=fake-signature`,
        });
      }
    }
    if (method === 'GET' && rest === '/tasks') {
      return send(res, req, 200, { value: [...tasks.values()].map((task) => taskJson(task, false)) });
    }
    const task = /^\/tasks\/([^/]+)(\/listDetails)?$/.exec(rest);
    if (task) {
      const found = tasks.get(task[1] as string);
      if (!found) throw new ArmReply(404, 'ResourceNotFound', `Task '${task[1]}' was not found.`);
      if (method === 'GET' && !task[2]) return send(res, req, 200, taskJson(found, false));
      if (method === 'POST' && task[2]) return send(res, req, 200, taskJson(found, true));
    }
    throw new ArmReply(405, 'MethodNotAllowed', `${method} is not allowed on ${rest}.`);
  }

  async function acceptImport(
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
  ): Promise<void> {
    const body = await readJson(req);
    const problem = checkImportImageParameters(body);
    if (problem) throw new ArmReply(400, 'InvalidParameters', problem);
    const parameters = body as {
      source: Pick<AcceptedImport, 'registryUri' | 'resourceId' | 'sourceImage' | 'credentials'>;
      targetTags?: string[];
      mode?: AcceptedImport['mode'];
    };
    const operation: ImportOperation = {
      id: `registries-${randomUUID()}`,
      subscriptionId,
      resourceGroup,
      polls: 0,
      state: 'InProgress',
      startTime: new Date().toISOString(),
    };
    operations.set(operation.id, operation);
    const accepted: AcceptedImport = {
      ...parameters.source,
      targetTags: parameters.targetTags ?? [],
      mode: parameters.mode ?? 'NoForce',
    };
    void importAndCheck(accepted).then(
      () => {
        operation.state = 'Succeeded';
        operation.endTime = new Date().toISOString();
      },
      (error: unknown) => {
        operation.state = 'Failed';
        operation.endTime = new Date().toISOString();
        operation.error =
          error instanceof ArmFailure
            ? { code: error.code, message: error.message }
            : { code: 'InternalServerError', message: String(error) };
      },
    );
    const version = query.get('api-version') as string;
    const locationPath = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.ContainerRegistry/locations/${location}`;
    send(res, req, 202, undefined, {
      'azure-asyncoperation': `${url}${registryPath}/operationStatuses/${operation.id}?api-version=${version}`,
      location: `${url}${locationPath}/operationResults/operationStatuses/${operation.id}?api-version=${version}`,
    });
  }

  /** Performs the import; with a data plane, fails one that reported success without leaving its tags there. */
  async function importAndCheck(accepted: AcceptedImport): Promise<void> {
    await performImport(accepted);
    if (!dataPlane) return;
    for (const targetTag of accepted.targetTags) {
      const { repository, tag } = targetReference(targetTag, accepted.sourceImage);
      if (!(await tagExists(dataPlane, repository, tag))) {
        throw new ArmFailure(
          'InternalServerError',
          `The import reported success, but ${repository}:${tag} is not in the registry.`,
        );
      }
    }
  }

  /** The status monitor (Azure-AsyncOperation) or the result (Location); the first poll always sees InProgress. */
  function reportImport(
    res: ServerResponse,
    req: IncomingMessage,
    operation: ImportOperation,
    monitor: boolean,
  ): void {
    operation.polls += 1;
    const state = operation.polls === 1 ? 'InProgress' : operation.state;
    if (monitor) {
      send(res, req, 200, {
        id: operation.id,
        name: operation.id,
        status: state,
        startTime: operation.startTime,
        ...(state !== 'InProgress' && { endTime: operation.endTime }),
        ...(state === 'Failed' && { error: operation.error }),
      });
    } else if (state === 'InProgress') {
      send(res, req, 202, undefined, { location: `${url}${req.url ?? '/'}` });
    } else if (state === 'Failed') {
      send(res, req, 400, { error: operation.error });
    } else {
      send(res, req, 200);
    }
  }

  async function scheduleRun(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req);
    const problem = checkRunRequest(body);
    if (problem) throw new ArmReply(400, 'InvalidParameters', problem);
    const taskId = (body as { taskId: string }).taskId;
    // The spec's example names the task alone; az and the SDK docs pass its resource id.
    const prefix = `${registryPath}/tasks/`.toLowerCase();
    const taskName = taskId.toLowerCase().startsWith(prefix)
      ? taskId.slice(prefix.length)
      : taskId.includes('/')
        ? undefined
        : taskId;
    const task = taskName === undefined ? undefined : tasks.get(taskName);
    if (!task)
      throw new ArmReply(
        404,
        'TaskNotFound',
        `Task '${taskId}' was not found in registry '${registryName}'.`,
      );
    runSequence += 1;
    const overrides = (
      body as {
        overrideTaskStepProperties?: {
          updateTriggerToken?: string;
          arguments?: RunArgumentJson[];
          values?: RunArgumentJson[];
        };
      }
    ).overrideTaskStepProperties;
    const token = overrides?.updateTriggerToken;
    const run: FakeRun = {
      runId: `cb${runSequence}`,
      task: task.name,
      taskId,
      statuses: task.runStatuses ?? ['Queued', 'Running', 'Succeeded'],
      gets: 0,
      createTime: new Date().toISOString(),
      ...(token !== undefined && { updateTriggerToken: token }),
      ...(overrides?.arguments !== undefined && { arguments: overrides.arguments }),
      ...(overrides?.values !== undefined && { values: overrides.values }),
    };
    runs.set(run.runId, run);
    send(res, req, 200, runJson(run));
  }

  function listRuns(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const filter = query.get('$filter');
    const topText = query.get('$top');
    let selected = [...runs.values()].reverse();
    if (filter !== null) {
      const byTask = /^TaskName eq '((?:[^']|'')*)'$/.exec(filter);
      if (!byTask)
        throw new ArmReply(
          400,
          'InvalidParameters',
          `The fake ARM server only filters by TaskName, not '${filter}'.`,
        );
      const name = (byTask[1] as string).replaceAll("''", "'");
      selected = selected.filter((run) => run.task === name);
    }
    if (topText !== null) {
      const top = Number(topText);
      if (!Number.isInteger(top) || top < 1)
        throw new ArmReply(400, 'InvalidParameters', `$top must be a positive integer.`);
      selected = selected.slice(0, top);
    }
    send(res, req, 200, { value: selected.map(runJson) });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    ca: cert.certPem,
    subscriptionId,
    resourceGroup,
    registry: registryName,
    requests,
    tasks,
    runs,
    throttle(operation, times, retryAfterSeconds) {
      injected.push({
        operation,
        times,
        error: {
          status: 429,
          code: 'TooManyRequests',
          message: 'The request is being throttled as the limit has been reached for operation type - Write.',
          retryAfterSeconds,
        },
      });
    },
    failNext(operation, times, error) {
      injected.push({ operation, times, error });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
