import { describe, expect, it } from 'vitest';
import { codeForStatus, parseErrorBody, RegistryError } from '../../src/registry/errors.js';

const digest = `sha256:${'a'.repeat(64)}`;

describe('RegistryError says what was done, to what, and keeps the registry code as data', () => {
  it.each([
    [
      'a tag',
      { repository: 'library/node', reference: '20' },
      'HEAD manifest registry-1.docker.io/library/node:20: MANIFEST_UNKNOWN: not there, HTTP 404',
    ],
    [
      'a digest',
      { repository: 'library/node', reference: digest },
      `HEAD manifest registry-1.docker.io/library/node@${digest}: MANIFEST_UNKNOWN: not there, HTTP 404`,
    ],
    [
      'a repository alone',
      { repository: 'library/node' },
      'HEAD manifest registry-1.docker.io/library/node: MANIFEST_UNKNOWN: not there, HTTP 404',
    ],
    [
      'a registry alone (the reference needs a repository)',
      { reference: '20' },
      'HEAD manifest registry-1.docker.io: MANIFEST_UNKNOWN: not there, HTTP 404',
    ],
  ])('naming %s', (_name, target, message) => {
    const error = new RegistryError({
      operation: 'HEAD manifest',
      registry: 'registry-1.docker.io',
      code: 'MANIFEST_UNKNOWN',
      status: 404,
      detail: 'not there',
      ...target,
    });
    expect(error.message).toBe(message);
  });

  it('leaves the status out when there is none, and carries every field', () => {
    const cause = new Error('socket hang up');
    const error = new RegistryError(
      {
        operation: 'get token',
        registry: 'auth.docker.io',
        repository: 'library/node',
        reference: '20',
        code: 'TOOMANYREQUESTS',
        detail: 'slow down',
        retryAfterSeconds: 30,
      },
      { cause },
    );
    expect(error.message).toBe('get token auth.docker.io/library/node:20: TOOMANYREQUESTS: slow down');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'RegistryError',
      operation: 'get token',
      registry: 'auth.docker.io',
      repository: 'library/node',
      reference: '20',
      code: 'TOOMANYREQUESTS',
      retryAfterSeconds: 30,
      cause,
    });
    expect(error.status).toBeUndefined();
  });
});

describe('codeForStatus: what a bare status means', () => {
  it.each([
    [401, 'UNAUTHORIZED'],
    [403, 'DENIED'],
    [404, 'BLOB_UNKNOWN'],
    [429, 'TOOMANYREQUESTS'],
    [502, 'UNAVAILABLE'],
    [503, 'UNAVAILABLE'],
    [504, 'UNAVAILABLE'],
    [400, 'UNEXPECTED'],
    [500, 'UNEXPECTED'],
    [505, 'UNEXPECTED'],
  ])('%i is %s', (status, code) => {
    expect(codeForStatus(status, 'BLOB_UNKNOWN')).toBe(code);
  });

  it('404 is the not-found code the caller names', () => {
    expect(codeForStatus(404, 'MANIFEST_UNKNOWN')).toBe('MANIFEST_UNKNOWN');
  });
});

describe('parseErrorBody reads the first distribution error', () => {
  it.each([
    [
      'code and message',
      '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"},{"code":"X"}]}',
      { code: 'DENIED', message: 'requested access to the resource is denied' },
    ],
    [
      'a code without a message',
      '{"errors":[{"code":"NAME_UNKNOWN"}]}',
      { code: 'NAME_UNKNOWN', message: '' },
    ],
    [
      'a message that is not text',
      '{"errors":[{"code":"NAME_UNKNOWN","message":7}]}',
      { code: 'NAME_UNKNOWN', message: '' },
    ],
  ])('%s', (_name, body, expected) => {
    expect(parseErrorBody(body)).toEqual(expected);
  });

  it.each([
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['no errors', '{}'],
    ['an empty list', '{"errors":[]}'],
    ['a code that is not text', '{"errors":[{"code":401}]}'],
    ['an empty body', ''],
  ])('gives nothing for %s', (_name, body) => {
    expect(parseErrorBody(body)).toBeUndefined();
  });
});
