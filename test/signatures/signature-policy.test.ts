// The `signature:` check's policy: keyless { issuer, identity } or key env:NAME, an optional trusted root.
import { describe, expect, it } from 'vitest';
import { signaturePolicySchema } from '../../src/config/signature-policy.js';

function messages(value: unknown): string[] {
  const parsed = signaturePolicySchema.safeParse(value);
  if (parsed.success) throw new Error('expected the policy to be refused');
  return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(policy)'}: ${issue.message}`);
}

describe('signature policy', () => {
  it('accepts a keyless signer with a trusted root, and a key reference', () => {
    const keyless = {
      keyless: {
        issuer: 'https://token.actions.githubusercontent.com',
        identity: '^https://github.com/org/',
      },
      trustedRoot: './sigstore-trusted-root.json',
    };
    expect(signaturePolicySchema.parse(keyless)).toEqual(keyless);
    expect(signaturePolicySchema.parse({ key: 'env:COSIGN_PUBLIC_KEY' })).toEqual({
      key: 'env:COSIGN_PUBLIC_KEY',
    });
  });

  it('wants exactly one of keyless and key', () => {
    expect(messages({})).toEqual(['(policy): expected exactly one of keyless, key']);
    expect(
      messages({
        key: 'env:K',
        keyless: { issuer: 'https://issuer.example', identity: '^x' },
        trustedRoot: 'r.json',
      }),
    ).toEqual(['(policy): expected exactly one of keyless, key, found keyless and key']);
  });

  it("takes a keyless signer without trustedRoot: Sigstore's public-good root, shipped, is the default", () => {
    const keyless = { keyless: { issuer: 'https://issuer.example', identity: '^x' } };
    expect(signaturePolicySchema.parse(keyless)).toEqual(keyless);
  });

  it('refuses an identity pattern without ^, which would match any identity containing it', () => {
    expect(
      messages({
        keyless: { issuer: 'https://issuer.example', identity: 'github.com/org/' },
        trustedRoot: 'r.json',
      }),
    ).toEqual([
      "keyless.identity: expected a regular expression anchored with ^, e.g. '^https://github.com/org/'",
    ]);
  });

  it('refuses an identity that is no regular expression, and an issuer that is no https URL', () => {
    expect(
      messages({ keyless: { issuer: 'https://issuer.example', identity: '^(' }, trustedRoot: 'r.json' })[0],
    ).toMatch(/^keyless\.identity: not a regular expression: /);
    expect(messages({ keyless: { issuer: 'token.actions', identity: '^x' }, trustedRoot: 'r.json' })).toEqual(
      ['keyless.issuer: expected the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com'],
    );
  });

  it('refuses a literal key without echoing it', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----';
    const refused = messages({ key: pem });
    expect(refused).toEqual(['key: expected a secret reference env:NAME holding a PEM public key']);
    expect(refused.join()).not.toContain('MFkw');
  });

  it('names the keys it knows when given another', () => {
    expect(messages({ key: 'env:K', keys: 'env:J' })).toEqual([
      '(policy): expected one of: keyless, key, trustedRoot',
    ]);
  });
});
