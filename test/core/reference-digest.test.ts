import { describe, expect, it } from 'vitest';
import { isDigest, parseReference } from '../../src/core/reference.js';

const SHA256 = `sha256:${'ab'.repeat(32)}`;
const SHA512 = `sha512:${'cd'.repeat(64)}`;

describe('digests in references are only the two forms OCI registers', () => {
  it.each([SHA256, SHA512])('accepts %s', (digest) => {
    expect(isDigest(digest)).toBe(true);
    expect(parseReference(`registry.example/base/node@${digest}`).digest).toBe(digest);
  });

  it.each([
    `sha256:${'AB'.repeat(32)}`,
    `sha256:${'ab'.repeat(31)}`,
    `sha512:${'cd'.repeat(32)}`,
    `md5:${'ab'.repeat(16)}`,
    `sha384:${'ab'.repeat(48)}`,
    'sha256:../../etc/passwd',
  ])('refuses %j, naming the digest', (digest) => {
    expect(isDigest(digest)).toBe(false);
    expect(() => parseReference(`registry.example/base/node@${digest}`)).toThrow(
      'must be sha256: and 64, or sha512: and 128, lower-case hex characters',
    );
  });

  it('refuses a digest with a line break after it, and what is not a string', () => {
    expect(isDigest(`${SHA256}\n`)).toBe(false);
    expect(isDigest(undefined)).toBe(false);
    expect(isDigest(42)).toBe(false);
  });
});
