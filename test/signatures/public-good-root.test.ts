// The public-good trusted root basewatch ships is Sigstore's: its logs and authorities, as published.
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { PUBLIC_GOOD_TRUSTED_ROOT } from '../../src/signatures/public-good-trusted-root.js';

describe('the shipped public-good trusted root', () => {
  it('parses as a trusted root and names Sigstore’s Rekor logs, Fulcio and CT logs', () => {
    const root = TrustedRoot.fromJSON(PUBLIC_GOOD_TRUSTED_ROOT);
    expect(() => toTrustMaterial(root)).not.toThrow();
    expect(root.tlogs.map((log) => log.baseUrl)).toEqual([
      'https://rekor.sigstore.dev',
      'https://log2025-1.rekor.sigstore.dev',
    ]);
    expect(root.certificateAuthorities.map((ca) => ca.subject?.organization)).toEqual([
      'sigstore.dev',
      'sigstore.dev',
    ]);
    expect(root.certificateAuthorities[0]?.uri).toBe('https://fulcio.sigstore.dev');
    expect(root.ctlogs.map((log) => log.baseUrl)).toEqual([
      'https://ctfe.sigstore.dev/test',
      'https://ctfe.sigstore.dev/2022',
    ]);
  });
});
