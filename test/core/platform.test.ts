import { describe, expect, it } from 'vitest';
import { parsePlatform, platformMatches } from '../../src/core/platform.js';

describe('platforms', () => {
  it('parses os/arch/variant and rejects other shapes', () => {
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(() => parsePlatform('linux')).toThrow("platform 'linux' must be os/architecture");
    expect(() => parsePlatform('Linux/AMD64')).toThrow('Linux/AMD64');
  });
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }, true],
    ['linux/arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, true],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }, true],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v6' }, false],
    ['linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }, true],
    ['linux/amd64', { os: 'windows', architecture: 'amd64' }, false],
    ['linux/amd64', undefined, false],
  ])('%s matches %j: %s', (wanted, candidate, expected) => {
    expect(platformMatches(parsePlatform(wanted), candidate)).toBe(expected);
  });
});
