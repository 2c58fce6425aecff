import { describe, expect, it } from 'vitest';
import { registryCredential } from '../../src/config/credentials.js';
import { MissingSecretError, resolveSecret, resolveValue } from '../../src/config/secret.js';

describe('resolveSecret', () => {
  const env = { DOCKERHUB_TOKEN: 'dckr_pat_value', EMPTY: '' };

  it('reads the variable a reference names', () => {
    expect(resolveSecret('env:DOCKERHUB_TOKEN', env)).toBe('dckr_pat_value');
  });

  it('names the missing variable and what needed it', () => {
    expect(() => resolveSecret('env:CI_HOOK', env, 'webhook URL for app reports')).toThrow(
      new MissingSecretError(
        'CI_HOOK',
        'environment variable CI_HOOK is not set (webhook URL for app reports)',
      ),
    );
    expect(() => resolveSecret('env:EMPTY', env)).toThrow('environment variable EMPTY is empty');
  });

  it('never quotes a value that is not a reference, which may be a pasted secret', () => {
    let message = '';
    try {
      resolveSecret('dckr_pat_literal', env, 'password for docker.io');
    } catch (error) {
      expect(error).toBeInstanceOf(MissingSecretError);
      message = (error as Error).message;
    }
    expect(message).toBe('not a secret reference (password for docker.io): expected env:NAME');
    expect(message).not.toContain('dckr_pat_literal');
  });

  it('reads process.env by default', () => {
    process.env.BASEWATCH_TEST_SECRET = 'from-process';
    try {
      expect(resolveSecret('env:BASEWATCH_TEST_SECRET')).toBe('from-process');
    } finally {
      delete process.env.BASEWATCH_TEST_SECRET;
    }
  });
});

describe('resolveValue', () => {
  it('passes a literal through and resolves a reference', () => {
    expect(resolveValue('robot', {})).toBe('robot');
    expect(resolveValue('env:USER_NAME', { USER_NAME: 'octo' })).toBe('octo');
    expect(() => resolveValue('env:USER_NAME', {})).toThrow('USER_NAME is not set');
  });
});

describe('registryCredential', () => {
  const config = {
    credentials: { 'docker.io': { username: 'env:HUB_USER', password: 'env:HUB_TOKEN' as const } },
  };

  it('resolves a configured credential', () => {
    expect(registryCredential(config, 'docker.io', { HUB_USER: 'octo', HUB_TOKEN: 'tok' })).toEqual({
      username: 'octo',
      password: 'tok',
    });
  });

  it('is anonymous only where nothing is configured', () => {
    expect(registryCredential(config, 'ghcr.io', {})).toBeUndefined();
  });

  it('fails naming the variable instead of falling back to anonymous', () => {
    expect(() => registryCredential(config, 'docker.io', { HUB_USER: 'octo' })).toThrow(
      'environment variable HUB_TOKEN is not set (password for docker.io)',
    );
  });
});
