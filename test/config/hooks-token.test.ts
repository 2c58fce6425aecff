import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';

const BASE = `version: 1
registry: { url: "http://127.0.0.1:5000" }
images:
  - { source: docker.io/library/node, tags: ["22"], target: base/node }
`;

const parse = (hooks: string) => parseConfig(`${BASE}${hooks}\n`, 'basewatch.yaml');
const problemOf = (hooks: string): string => {
  try {
    parse(hooks);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a config error');
};

describe('hooks.token', () => {
  it('is a secret reference, kept as the reference (resolved only where a request is checked)', () => {
    expect(parse('hooks: { token: env:BASEWATCH_HOOK_TOKEN }').hooks).toEqual({
      token: 'env:BASEWATCH_HOOK_TOKEN',
    });
  });

  it('is absent when not configured: the hook routes are then closed', () => {
    expect(parse('').hooks).toBeUndefined();
  });

  it('refuses a literal token without echoing it', () => {
    const message = problemOf('hooks: { token: s3cr3t-literal-token }');
    expect(message).toContain('hooks.token');
    expect(message).toContain('expected a secret reference env:NAME (a literal secret is not accepted here)');
    expect(message).not.toContain('s3cr3t-literal-token');
  });

  it('refuses unknown keys and a missing token, naming the field', () => {
    expect(problemOf('hooks: { token: env:X, secret: env:Y }')).toContain('hooks');
    expect(problemOf('hooks: {}')).toContain('hooks.token');
  });
});
