// `referrers:` in basewatch.yaml: all by default, none, or a list of artifact types; anything else is
// refused with the file, line and field.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/config/load.js';

const FILE = 'basewatch.yaml';

function config(referrers?: string): string {
  return [
    'version: 1',
    'registry: { url: "http://127.0.0.1:5000" }',
    'images:',
    '  - source: alpine',
    '    tags: ["3.20"]',
    '    target: base/alpine',
    ...(referrers !== undefined ? [`    referrers: ${referrers}`] : []),
    '',
  ].join('\n');
}

function issues(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.file}:${i.line}: ${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('referrers: per tracked image', () => {
  it('defaults to all', () => {
    expect(parseConfig(config(), FILE).images[0]?.referrers).toBe('all');
  });

  it.each([
    ['none', 'none'],
    ['all', 'all'],
    [
      '[application/vnd.dev.cosign.simplesigning.v1+json, application/spdx+json]',
      ['application/vnd.dev.cosign.simplesigning.v1+json', 'application/spdx+json'],
    ],
  ])('accepts %s', (written, expected) => {
    expect(parseConfig(config(written), FILE).images[0]?.referrers).toEqual(expected);
  });

  it.each([
    [
      'some',
      "images[0].referrers: expected 'all', 'none' or a list of artifact types, e.g. [application/vnd.dev.cosign.simplesigning.v1+json]",
    ],
    ['[]', "images[0].referrers: expected at least one artifact type (or 'none')"],
    [
      '[signatures]',
      'images[0].referrers[0]: expected an artifact type (a media type), e.g. application/spdx+json',
    ],
  ])('refuses %s at its line and field', (written, message) => {
    expect(issues(config(written))).toEqual([`${FILE}:7: ${message}`]);
  });
});
