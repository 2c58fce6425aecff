// The fake ARM server must reject what Azure rejects, or the adapter tests would pass against a contract
// Azure does not have. Raw requests, no SDK; expectations are literals, skopeo's reading of the data-plane
// registry, and the registry's own answers.
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeArm, startFakeArm } from '../support/azure/arm-server.js';
import { checkImportImageParameters, checkRunRequest } from '../support/azure/arm-validation.js';
import { tokenFor } from '../support/azure/test-credential.js';
import { makeImage, pushImage, type TestImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';

let arm: FakeArm;
let agent: Agent;

beforeAll(async () => {
  arm = await startFakeArm();
  arm.tasks.set('build-app', {
    name: 'build-app',
    step: { type: 'Docker', imageNames: ['apps/a:1'], dockerFilePath: 'Dockerfile', contextPath: '.' },
  });
  agent = new Agent({ connect: { ca: arm.ca } });
});

afterAll(async () => {
  await arm.stop();
  await agent.close();
  await Promise.all([...agents.values()].map((each) => each.close()));
});

const validImport = {
  source: { registryUri: 'docker.io', sourceImage: `library/node@sha256:${'a'.repeat(64)}` },
  targetTags: ['base/node:20'],
  mode: 'Force',
};

const agents = new Map<FakeArm, Agent>();
/** An HTTPS agent trusting this server's own certificate. */
function agentFor(server: FakeArm): Agent {
  let found = agents.get(server);
  if (!found) {
    found = new Agent({ connect: { ca: server.ca } });
    agents.set(server, found);
  }
  return found;
}

interface Answer {
  status: number;
  code?: string;
  message?: string;
  /** The JSON body's top-level keys and its error's keys, to check ARM's error shape. */
  shape?: string[];
  headers: Headers;
  body?: Record<string, unknown>;
}

async function call(
  path: string,
  options: {
    method?: string;
    apiVersion?: string | null;
    body?: unknown;
    token?: string | null;
    server?: FakeArm;
  } = {},
): Promise<Answer> {
  const server = options.server ?? arm;
  const url = new URL(
    `${server.url}/subscriptions/${server.subscriptionId}/resourceGroups/${server.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${server.registry}${path}`,
  );
  if (options.apiVersion !== null) url.searchParams.set('api-version', options.apiVersion ?? '2025-11-01');
  return send(url.href, { ...options, server });
}

async function send(
  href: string,
  options: { method?: string; body?: unknown; token?: string | null; server: FakeArm },
): Promise<Answer> {
  const token = options.token === undefined ? tokenFor(`${options.server.url}/.default`) : options.token;
  const response = await fetch(href, {
    method: options.method ?? 'POST',
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    dispatcher: agentFor(options.server),
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  const error = body?.error as { code: string; message: string } | undefined;
  return {
    status: response.status,
    headers: response.headers as unknown as Headers,
    ...(body && { body }),
    ...(error && {
      code: error.code,
      message: error.message,
      shape: [...Object.keys(body ?? {}), ...Object.keys(error).map((key) => `error.${key}`)].sort(),
    }),
  };
}

/** Starts an import and follows its status monitor until it ends; returns the monitor's last body. */
async function runImport(server: FakeArm, body: unknown): Promise<{ status: string; error?: unknown }> {
  const accepted = await call('/importImage', { body, server });
  expect(accepted.status).toBe(202);
  const monitor = accepted.headers.get('azure-asyncoperation') as string;
  for (;;) {
    const polled = await send(monitor, { method: 'GET', server });
    const status = polled.body?.status as string;
    if (status !== 'InProgress') return polled.body as { status: string; error?: unknown };
  }
}

describe('fake ARM server', () => {
  it('accepts a valid import with 202 and the polling headers', async () => {
    const answer = await call('/importImage', { body: validImport });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('azure-asyncoperation')).toMatch(
      /\/registries\/basewatchtest\/operationStatuses\//,
    );
    expect(answer.headers.get('location')).toMatch(
      /\/resourceGroups\/rg-images\/providers\/Microsoft\.ContainerRegistry\/locations\/westeurope\/operationResults\//,
    );
  });

  it('answers errors in ARM\'s shape, {"error": {"code", "message"}}', async () => {
    const answer = await call('/importImage', { body: { ...validImport, mode: 'Sometimes' } });
    expect(answer.shape).toEqual(['error', 'error.code', 'error.message']);
  });

  it.each([
    ['a registryUri that is not a host', { registryUri: 'not a host!!' }, /registryUri/],
    ['a registryUri that is a URL', { registryUri: 'https://docker.io' }, /registryUri/],
    [
      'a resourceId together with a registryUri',
      {
        resourceId: `/subscriptions/${'0'.repeat(8)}-0000-0000-0000-${'0'.repeat(12)}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/sourcereg`,
      },
      /not both/,
    ],
    ['a sourceImage "::@@"', { sourceImage: '::@@' }, /sourceImage/],
    ['a sourceImage with a short digest', { sourceImage: 'library/node@sha256:abc' }, /sourceImage/],
  ])('refuses an import with %s', async (_name, change, problem) => {
    const answer = await call('/importImage', {
      body: { ...validImport, source: { ...validImport.source, ...change } },
    });
    expect(answer).toMatchObject({ status: 400, code: 'InvalidParameters' });
    expect(answer.message).toMatch(problem);
  });

  it('refuses a resourceId that names no container registry', async () => {
    const answer = await call('/importImage', {
      body: { ...validImport, source: { resourceId: '/subscriptions/x/foo', sourceImage: 'library/node' } },
    });
    expect(answer).toMatchObject({ status: 400, code: 'InvalidParameters' });
    expect(answer.message).toMatch(/resourceId/);
  });

  it.each([
    ['taskId a number', { taskId: 7 }, /taskId/],
    ['isArchiveEnabled a string', { isArchiveEnabled: 'yes' }, /isArchiveEnabled/],
    ['agentPoolName a number', { agentPoolName: 5 }, /agentPoolName/],
    ['logTemplate an object', { logTemplate: {} }, /logTemplate/],
    [
      'overrideTaskStepProperties a string',
      { overrideTaskStepProperties: 'x' },
      /overrideTaskStepProperties/,
    ],
    ['override arguments a string', { overrideTaskStepProperties: { arguments: 'x' } }, /arguments/],
    [
      'an override value that is a number',
      { overrideTaskStepProperties: { values: [{ name: 'a', value: 1 }] } },
      /values\[0\]\.value/,
    ],
    [
      'isSecret a string',
      { overrideTaskStepProperties: { arguments: [{ name: 'a', value: 'b', isSecret: 'no' }] } },
      /isSecret/,
    ],
    [
      'updateTriggerToken a number',
      { overrideTaskStepProperties: { updateTriggerToken: 5 } },
      /updateTriggerToken/,
    ],
    ['file a boolean', { overrideTaskStepProperties: { file: true } }, /file/],
  ])('refuses a scheduleRun with %s', async (_name, change, problem) => {
    const answer = await call('/scheduleRun', {
      apiVersion: '2019-06-01-preview',
      body: { type: 'TaskRunRequest', taskId: 'build-app', ...change },
    });
    expect(answer).toMatchObject({ status: 400, code: 'InvalidParameters' });
    expect(answer.message).toMatch(problem);
  });

  it('rejects a request without a bearer token, or with a token for another audience', async () => {
    expect(await call('/importImage', { body: validImport, token: null })).toMatchObject({
      status: 401,
      code: 'AuthenticationFailed',
    });
    expect(
      await call('/importImage', {
        body: validImport,
        token: tokenFor('https://management.azure.com/.default'),
      }),
    ).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
  });

  it('rejects a missing or unsupported api-version', async () => {
    expect(await call('/importImage', { body: validImport, apiVersion: null })).toMatchObject({
      status: 400,
      code: 'MissingApiVersionParameter',
    });
    // Tasks API version on the registries API, and the other way round.
    expect(await call('/importImage', { body: validImport, apiVersion: '2019-06-01-preview' })).toMatchObject(
      {
        status: 400,
        code: 'NoRegisteredProviderFound',
      },
    );
    expect(await call('/tasks', { method: 'GET', apiVersion: '2025-11-01' })).toMatchObject({
      status: 400,
      code: 'NoRegisteredProviderFound',
    });
  });

  it('rejects import bodies that do not match ImportImageParameters', async () => {
    const bad = await call('/importImage', { body: { ...validImport, mode: 'Sometimes' } });
    expect(bad).toMatchObject({ status: 400, code: 'InvalidParameters' });
    expect(bad.message).toMatch(/mode/);
    expect(await call('/importImage', { body: { targetTags: ['a:b'] } })).toMatchObject({ status: 400 });
  });

  it('rejects an unknown registry and a malformed subscription id', async () => {
    const url = `${arm.url}/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/otherregistry/importImage?api-version=2025-11-01`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokenFor(`${arm.url}/.default`)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(validImport),
      dispatcher: agent,
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('ResourceNotFound');
  });

  it('schedules only a TaskRunRequest for an existing task', async () => {
    const tasksApi = { apiVersion: '2019-06-01-preview' };
    expect(await call('/scheduleRun', { ...tasksApi, body: { type: 'TaskRunRequest' } })).toMatchObject({
      status: 400,
      code: 'InvalidParameters',
    });
    expect(await call('/scheduleRun', { ...tasksApi, body: { type: 'Build', taskId: 'x' } })).toMatchObject({
      status: 400,
    });
    expect(
      await call('/scheduleRun', { ...tasksApi, body: { type: 'TaskRunRequest', taskId: 'missing' } }),
    ).toMatchObject({
      status: 404,
      code: 'TaskNotFound',
    });
    expect(
      (await call('/scheduleRun', { ...tasksApi, body: { type: 'TaskRunRequest', taskId: 'build-app' } }))
        .status,
    ).toBe(200);
    expect(await call('/runs/nope', { ...tasksApi, method: 'GET' })).toMatchObject({ status: 404 });
  });
});

describe('request shapes from the REST specification', () => {
  it.each([
    [{}, /source/],
    [{ source: { registryUri: 'docker.io' } }, /sourceImage/],
    [{ source: { sourceImage: 'library/node' } }, /registryUri.*resourceId/],
    [{ source: { registryUri: 'docker.io', sourceImage: 'x', credentials: { username: 'u' } } }, /password/],
    [{ ...validImport, targetTags: ['Not A Repo'] }, /repository\[:tag\]/],
    [{ ...validImport, untaggedTargetRepositories: [1] }, /untaggedTargetRepositories\[0\]/],
  ])('ImportImageParameters %j is refused', (body, problem) => {
    expect(checkImportImageParameters(body)).toMatch(problem);
  });

  it('accepts the example from the specification', () => {
    expect(
      checkImportImageParameters({
        source: { registryUri: 'registry.hub.docker.com', sourceImage: 'library/hello-world' },
        targetTags: ['targetRepository:targetTag'],
        untaggedTargetRepositories: ['targetRepository1'],
        mode: 'Force',
      }),
    ).toBeUndefined();
    expect(
      checkRunRequest({
        type: 'TaskRunRequest',
        taskId: 'myTask',
        overrideTaskStepProperties: {
          file: 'overriddenDockerfile',
          target: 'build',
          arguments: [{ name: 'mytestargument', value: 'mytestvalue', isSecret: false }],
          values: [{ name: 'mytestname', value: 'mytestvalue', isSecret: false }],
        },
      }),
    ).toBeUndefined();
  });

  it('refuses override arguments without a value', () => {
    expect(
      checkRunRequest({
        type: 'TaskRunRequest',
        taskId: 't',
        overrideTaskStepProperties: { arguments: [{ name: 'a' }] },
      }),
    ).toMatch(/arguments\[0\]\.value/);
  });
});

describe('fake ARM server: import operations', () => {
  let upstream: TestRegistry;
  let dataPlane: TestRegistry;
  let image: TestImage;
  const servers: FakeArm[] = [];

  beforeAll(async () => {
    [upstream, dataPlane] = await Promise.all([startRegistry(), startRegistry()]);
    image = makeImage({ seed: 'arm-selftest' });
    await pushImage(upstream.url, 'library/alpine', '3', image);
  });
  afterAll(async () => {
    await Promise.all([...servers.map((server) => server.stop()), upstream?.stop(), dataPlane?.stop()]);
  });

  async function server(options: Parameters<typeof startFakeArm>[0]): Promise<FakeArm> {
    const started = await startFakeArm(options);
    servers.push(started);
    return started;
  }

  const importOf = (target: string, mode = 'Force') => ({
    source: { registryUri: upstream.host, sourceImage: `library/alpine@${image.digest}` },
    targetTags: [target],
    mode,
  });

  it('copies the source into the data-plane registry before it reports Succeeded', async () => {
    const withPlane = await server({ dataPlane });
    expect(await runImport(withPlane, importOf('mirror/alpine:3'))).toMatchObject({ status: 'Succeeded' });
    expect(await skopeoInspectDigest(`${dataPlane.host}/mirror/alpine:3`)).toBe(image.digest);
  });

  it('fails an import when it has nowhere to copy to', async () => {
    const nowhere = await server({});
    const ended = await runImport(nowhere, importOf('mirror/alpine:nowhere'));
    expect(ended).toMatchObject({ status: 'Failed', error: { code: 'InternalServerError' } });
  });

  it('fails an import whose performer reported success without copying', async () => {
    const idle = await server({ dataPlane, performImport: async () => {} });
    const ended = await runImport(idle, importOf('mirror/alpine:idle'));
    expect(ended).toMatchObject({ status: 'Failed' });
    expect(JSON.stringify(ended.error)).toContain('mirror/alpine:idle is not in the registry');
  });

  it('fails an import of a digest the source registry does not have', async () => {
    const withPlane = await server({ dataPlane });
    const ended = await runImport(withPlane, {
      source: { registryUri: upstream.host, sourceImage: `library/alpine@sha256:${'0'.repeat(64)}` },
      targetTags: ['mirror/alpine:missing'],
      mode: 'Force',
    });
    expect(ended).toMatchObject({ status: 'Failed', error: { code: 'InvalidParameters' } });
  });

  it('fails a NoForce import onto an existing tag before copying', async () => {
    const withPlane = await server({ dataPlane });
    const other = makeImage({ seed: 'arm-selftest-other' });
    await pushImage(dataPlane.url, 'mirror/taken', '1', other);
    const ended = await runImport(withPlane, importOf('mirror/taken:1', 'NoForce'));
    expect(ended).toMatchObject({ status: 'Failed' });
    expect(JSON.stringify(ended.error)).toContain('already exists');
    expect(await skopeoInspectDigest(`${dataPlane.host}/mirror/taken:1`)).toBe(other.digest);
  });

  it('serves the Location result only under the subscription, resource group and region that started it', async () => {
    const withPlane = await server({ dataPlane });
    const accepted = await call('/importImage', {
      body: importOf('mirror/alpine:scoped'),
      server: withPlane,
    });
    const location = accepted.headers.get('location') as string;
    expect((await send(location, { method: 'GET', server: withPlane })).status).toBe(202);

    const otherGroup = location.replace('/resourceGroups/rg-images/', '/resourceGroups/rg-other/');
    expect(await send(otherGroup, { method: 'GET', server: withPlane })).toMatchObject({
      status: 404,
      code: 'OperationNotFound',
    });
    const otherSubscription = location.replace(
      `/subscriptions/${withPlane.subscriptionId}/`,
      '/subscriptions/99999999-9999-9999-9999-999999999999/',
    );
    expect(await send(otherSubscription, { method: 'GET', server: withPlane })).toMatchObject({
      status: 404,
      code: 'OperationNotFound',
    });
    expect(
      await send(location.replace('/locations/westeurope/', '/locations/eastus/'), {
        method: 'GET',
        server: withPlane,
      }),
    ).toMatchObject({ status: 404, code: 'OperationNotFound' });
    const monitor = accepted.headers.get('azure-asyncoperation') as string;
    expect(
      await send(monitor.replace('/resourceGroups/rg-images/', '/resourceGroups/rg-other/'), {
        method: 'GET',
        server: withPlane,
      }),
    ).toMatchObject({ status: 404, code: 'ResourceGroupNotFound' });
  });

  it('refuses the resource-group-scoped Location result to a role assigned on the registry alone', async () => {
    const scoped = await server({ dataPlane, roleScope: 'registry' });
    const accepted = await call('/importImage', { body: importOf('mirror/alpine:role'), server: scoped });
    expect(accepted.status).toBe(202);
    const refused = await send(accepted.headers.get('location') as string, { method: 'GET', server: scoped });
    expect(refused).toMatchObject({ status: 403, code: 'AuthorizationFailed' });
    expect(refused.message).toContain("'Microsoft.ContainerRegistry/locations/operationResults/read'");
    // The registry's own status monitor stays readable.
    const monitor = await send(accepted.headers.get('azure-asyncoperation') as string, {
      method: 'GET',
      server: scoped,
    });
    expect(monitor.status).toBe(200);
  });
});
