import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatReference, ImageReferenceError, parseReference } from '../../src/core/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference normalises as Docker does', () => {
  it.each([
    ['node', 'docker.io/library/node:latest'],
    ['node:20-alpine', 'docker.io/library/node:20-alpine'],
    ['library/node', 'docker.io/library/node:latest'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['docker.io/node', 'docker.io/library/node:latest'],
    ['index.docker.io/library/node:1', 'docker.io/library/node:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['127.0.0.1:5000/base/node:20', '127.0.0.1:5000/base/node:20'],
    ['[::1]:5000/base/node:20', '[::1]:5000/base/node:20'],
    ['myregistry.azurecr.io/apps/orders-api:1', 'myregistry.azurecr.io/apps/orders-api:1'],
    [`node@${D}`, `docker.io/library/node@${D}`],
    [`node:20@${D}`, `docker.io/library/node:20@${D}`],
    ['ghcr.io/a/b/c__d/e-f.g:T_1.x-y', 'ghcr.io/a/b/c__d/e-f.g:T_1.x-y'],
    ['Registry.Example.com/app', 'Registry.Example.com/app:latest'],
  ])('%s → %s', (input, expected) => {
    expect(formatReference(parseReference(input))).toBe(expected);
  });

  it('keeps the tag off when defaultTag is false', () => {
    expect(parseReference('node', { defaultTag: false })).toEqual({
      registry: 'docker.io',
      repository: 'library/node',
    });
  });
});

describe('parseReference names the bad part', () => {
  it.each([
    ['', 'reference', 'reference is empty'],
    ['node :1', 'reference', 'whitespace'],
    ['Library/NODE', 'repository', "repository 'Library/NODE' must be lower case"],
    ['docker.io/Library/node', 'repository', "repository 'Library/node' must be lower case"],
    ['node:', 'tag', "tag ''"],
    ['node:-x', 'tag', "tag '-x'"],
    [`node:${'a'.repeat(129)}`, 'tag', 'must be 1–128'],
    ['node@sha256:abc', 'digest', "digest 'sha256:abc'"],
    [`node@sha256:${'A'.repeat(64)}`, 'digest', 'lower-case'],
    ['ex ample.com/x', 'reference', 'whitespace'],
    ['-bad.com/x', 'registry', "registry '-bad.com'"],
    ['a//b', 'repository', "component ''"],
    ['a/b_/c', 'repository', "component 'b_'"],
    ['example.com/', 'repository', "component ''"],
    [':tag', 'repository', 'empty'],
    [`example.com/${'a'.repeat(250)}`, 'repository', 'more than 255'],
  ])('%j fails on %s', (input, part, message) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImageReferenceError);
    expect((caught as ImageReferenceError).part).toBe(part);
    expect((caught as Error).message).toContain(message);
  });
});

const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/).filter((s) => s.length <= 30);
const registry = fc.oneof(
  fc.constant('docker.io'),
  fc.constant('localhost:5000'),
  fc.constant('127.0.0.1:32768'),
  fc.stringMatching(/^[a-z0-9]{1,10}\.[a-z]{2,5}$/),
);
const tag = fc.stringMatching(/^[\w][\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);

describe('format(parse(x)) round-trips', () => {
  it('for any canonical reference', () => {
    fc.assert(
      fc.property(
        registry,
        fc.array(component, { minLength: 2, maxLength: 4 }),
        fc.option(tag, { nil: undefined }),
        fc.option(digest, { nil: undefined }),
        (reg, parts, t, d) => {
          const ref = {
            registry: reg,
            repository: parts.join('/'),
            tag: t ?? (d ? undefined : 'latest'),
            digest: d,
          };
          const text = formatReference(ref);
          const parsed = parseReference(text);
          expect(formatReference(parsed)).toBe(text);
          expect(parseReference(formatReference(parsed))).toEqual(parsed);
        },
      ),
    );
  });
});
