// The fake ARM server must reject what Azure rejects, or the adapter tests
// would pass against a contract Azure does not have. Raw requests, no SDK.
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeArm, startFakeArm } from '../support/azure/arm-server.js';
import { checkImportImageParameters, checkRunRequest } from '../support/azure/arm-validation.js';
import { tokenFor } from '../support/azure/test-credential.js';

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
});

const validImport = {
  source: { registryUri: 'docker.io', sourceImage: `library/node@sha256:${'a'.repeat(64)}` },
  targetTags: ['base/node:20'],
  mode: 'Force',
};

async function call(
  path: string,
  options: { method?: string; apiVersion?: string | null; body?: unknown; token?: string | null } = {},
): Promise<{ status: number; code?: string; message?: string }> {
  const url = new URL(
    `${arm.url}/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${arm.registry}${path}`,
  );
  if (options.apiVersion !== null) url.searchParams.set('api-version', options.apiVersion ?? '2025-11-01');
  const token = options.token === undefined ? tokenFor(`${arm.url}/.default`) : options.token;
  const response = await fetch(url, {
    method: options.method ?? 'POST',
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(options.body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    dispatcher: agent,
  });
  const text = await response.text();
  const error = text ? (JSON.parse(text) as { error?: { code: string; message: string } }).error : undefined;
  return { status: response.status, ...(error && { code: error.code, message: error.message }) };
}

describe('fake ARM server', () => {
  it('accepts a valid import with 202 and the polling headers', async () => {
    expect(await call('/importImage', { body: validImport })).toEqual({ status: 202 });
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
      await call('/scheduleRun', { ...tasksApi, body: { type: 'TaskRunRequest', taskId: 'build-app' } }),
    ).toEqual({
      status: 200,
    });
    expect(await call('/runs/nope', { ...tasksApi, method: 'GET' })).toMatchObject({ status: 404 });
  });
});

describe('request shapes from the REST specification', () => {
  it.each([
    [{}, /source/],
    [{ source: { registryUri: 'docker.io' } }, /sourceImage/],
    [{ source: { sourceImage: 'library/node' } }, /registryUri.*resourceId/],
    [{ source: { registryUri: 'docker.io', sourceImage: 'x', credentials: { username: 'u' } } }, /password/],
    [{ ...validImport, targetTags: ['no-tag'] }, /repository:tag/],
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
