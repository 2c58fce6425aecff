import { describe, expect, it } from 'vitest';
import { armOperationError } from '../../src/azure/arm-errors.js';
import { REQUIRED_PERMISSIONS } from '../../src/azure/required-permissions.js';

/** What core-rest-pipeline throws for an ARM error response. */
function restError(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), {
    code,
    statusCode,
    response: { headers: { get: (name: string) => headers[name.toLowerCase()] } },
  });
}

describe('armOperationError', () => {
  it('reads the code and message of a failed long-running operation', () => {
    const error = armOperationError(
      'import x',
      new Error(
        'The long-running operation has failed. InvalidParameters. Failed to import: unauthorized: authentication required.',
      ),
    );
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
  ])('classifies HTTP %i %s', (status, code, message, kind) => {
    expect(armOperationError('op', restError(status, code, message)).kind).toBe(kind);
  });

  it('keeps the seconds of Retry-After', () => {
    const error = armOperationError(
      'op',
      restError(429, 'TooManyRequests', 'slow down', { 'retry-after': '30' }),
    );
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toMatch(/retry after 30s$/);
  });

  it('never repeats a secret the service echoed back', () => {
    const error = armOperationError('import x', new Error('login failed for hubuser:s3cr3t-token'), [
      's3cr3t-token',
    ]);
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
