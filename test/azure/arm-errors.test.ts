import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armOperationError } from '../../src/azure/arm-errors.js';
import { REQUIRED_PERMISSIONS } from '../../src/azure/required-permissions.js';
import {
  ArmFailure,
  type FakeArm,
  type InjectedArmError,
  startFakeArm,
} from '../support/azure/arm-server.js';
import { fakeArmClient, fakeRegistry } from '../support/azure/clients.js';
import { TestTokenCredential } from '../support/azure/test-credential.js';

// Every error here is what the real ARM client threw for an answer of the fake ARM server: a RestError
// from core-rest-pipeline, or the Error core-lro throws for a failed long-running operation.
let arm: FakeArm;
let importFailure: ArmFailure;

beforeAll(async () => {
  arm = await startFakeArm({
    performImport: async () => {
      throw importFailure;
    },
  });
  arm.tasks.set('build-app', {
    name: 'build-app',
    step: { type: 'Docker', imageNames: ['apps/a:1'], dockerFilePath: 'Dockerfile', contextPath: '.' },
  });
});
afterAll(async () => {
  await arm?.stop();
});

/** What the client throws when ARM answers `tasks.get` with this error (no retries). */
async function sdkError(error: InjectedArmError): Promise<unknown> {
  arm.failNext('/tasks/build-app', 1, error);
  const client = fakeArmClient(arm, new TestTokenCredential(), { retryOptions: { maxRetries: 0 } });
  const { resourceGroup, name } = fakeRegistry(arm);
  return client.tasks.get(resourceGroup, name, 'build-app').then(
    () => {
      throw new Error('the fake ARM server served the request instead of failing it');
    },
    (thrown: unknown) => thrown,
  );
}

/** What the client throws when the import operation ends Failed with this error. */
async function failedImport(code: string, message: string): Promise<unknown> {
  importFailure = new ArmFailure(code, message);
  const client = fakeArmClient(arm);
  const { resourceGroup, name } = fakeRegistry(arm);
  return client.registries
    .beginImportImageAndWait(
      resourceGroup,
      name,
      {
        source: { registryUri: 'registry.example', sourceImage: `library/x@sha256:${'a'.repeat(64)}` },
        targetTags: ['base/x:1'],
        mode: 'Force',
      },
      { updateIntervalInMs: 10 },
    )
    .then(
      () => {
        throw new Error('the import succeeded instead of failing');
      },
      (thrown: unknown) => thrown,
    );
}

describe('armOperationError', () => {
  it('reads the code and message of a failed long-running operation', async () => {
    const thrown = await failedImport(
      'InvalidParameters',
      'Failed to import: unauthorized: authentication required.',
    );
    const error = armOperationError('import x', thrown);
    expect(error).toMatchObject({ kind: 'upstream-unauthorized', code: 'InvalidParameters' });
    expect(error.message).toBe(
      'import x: the source registry refused the credentials (InvalidParameters): Failed to import: unauthorized: authentication required.',
    );
  });

  it.each([
    [
      403,
      'AuthorizationFailed',
      "The client does not have authorization to perform action 'importImage/action'",
      'forbidden',
    ],
    [404, 'ResourceNotFound', "The Resource 'registries/x' was not found.", 'not-found'],
    [429, 'TooManyRequests', 'throttled', 'throttled'],
    [400, 'InvalidParameters', "'mode' must be one of NoForce, Force", 'invalid-request'],
    [409, 'QuotaExceeded', 'Registry storage quota exceeded', 'quota'],
    [500, 'InternalServerError', 'boom', 'failed'],
    [401, 'InvalidAuthenticationToken', 'The access token is invalid.', 'unauthorized'],
  ])('classifies HTTP %i %s', async (status, code, message, kind) => {
    const thrown = await sdkError({ status, code, message });
    expect(thrown).toMatchObject({ name: 'RestError', statusCode: status, code });
    expect(armOperationError('op', thrown)).toMatchObject({ kind, code, status });
  });

  it('keeps the seconds of Retry-After', async () => {
    const thrown = await sdkError({
      status: 429,
      code: 'TooManyRequests',
      message: 'slow down',
      retryAfterSeconds: 30,
    });
    const error = armOperationError('op', thrown);
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toMatch(/retry after 30s$/);
  });

  it('never repeats a secret the service echoed back', async () => {
    const thrown = await failedImport('InvalidParameters', 'login failed for hubuser:s3cr3t-token');
    expect(String((thrown as Error).message)).toContain('s3cr3t-token');
    const error = armOperationError('import x', thrown, ['s3cr3t-token']);
    expect(error.message).not.toContain('s3cr3t-token');
    expect(error.message).toContain('hubuser:***');
  });
});

describe('REQUIRED_PERMISSIONS', () => {
  it('covers every ARM operation the adapters call', () => {
    const actions = REQUIRED_PERMISSIONS.flatMap((permission) => permission.actions);
    for (const action of [
      'registries/importImage/action',
      'registries/scheduleRun/action',
      'registries/runs/read',
      'registries/runs/listLogSasUrl/action',
      'registries/tasks/read',
      'registries/tasks/listDetails/action',
    ]) {
      expect(actions).toContain(`Microsoft.ContainerRegistry/${action}`);
    }
  });
});
