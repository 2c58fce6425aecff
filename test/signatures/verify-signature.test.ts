// The signature check refuses, each by name: no signature, a payload naming another digest, an
// untrusted key, a tampered payload, a wrong identity or issuer, an expired certificate, a
// certificate or log entry from outside the trusted root; and accepts a good one with its signer.
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureVerdict } from '../../src/signatures/signature-verdict.js';
import { verifyImageSignature } from '../../src/signatures/verify-image-signature.js';
import {
  cosignSignatureManifest,
  makeArtifact,
  referrersIndex,
  simpleSigningPayload,
  tagFor,
} from '../referrers/attachments.js';
import { registryStore } from '../registry/support-copy.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import {
  ecKey,
  issueCertificate,
  makeCa,
  makeLog,
  rekorBundle,
  signBase64,
  type TestCa,
  type TestLog,
  trustedRootJson,
} from './sigstore-fixtures.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = 'https://github.com/org/app/.github/workflows/release.yml@refs/heads/main';
const POLICY_IDENTITY = '^https://github\\.com/org/';

let registry: TestRegistry;
let ca: TestCa;
let log: TestLog;
let rootDir: string;

beforeAll(async () => {
  registry = await startRegistry();
  ca = makeCa('fulcio-test');
  log = makeLog();
  rootDir = await mkdtemp(join(tmpdir(), 'basewatch-trusted-root-'));
  writeFileSync(join(rootDir, 'trusted-root.json'), trustedRootJson(ca, log));
});
afterAll(async () => {
  await registry?.stop();
});

/** Pushes an image to its own repository; returns where it is and its digest. */
async function image(repository: string) {
  const made = makeImage({ seed: repository });
  await pushImage(registry.url, repository, '1', made);
  return { repository, digest: made.digest, reference: `${registry.host}/${repository}` };
}

async function pushSignature(
  repository: string,
  digest: string,
  layers: { payload: Buffer; annotations: Record<string, string> }[],
) {
  await pushImage(registry.url, repository, tagFor(digest, 'sig'), cosignSignatureManifest(layers));
}

function check(
  repository: string,
  digest: string,
  policy: Parameters<typeof verifyImageSignature>[0]['policy'],
  env: Record<string, string> = {},
) {
  return verifyImageSignature({
    store: registryStore(registry.host),
    repository,
    digest,
    policy,
    env,
    baseDir: rootDir,
  });
}

/** A keyless cosign signature of `payload`: certificate annotation and a log entry integrated at `at`. */
function keylessLayer(
  payload: Buffer,
  options: {
    identity?: string;
    issuer?: string;
    ca?: TestCa;
    log?: TestLog;
    at?: number;
    days?: number;
    signedPayload?: Buffer;
  } = {},
) {
  const cert = issueCertificate(options.ca ?? ca, {
    identity: options.identity ?? IDENTITY,
    issuer: options.issuer ?? ISSUER,
    days: options.days ?? 1,
  });
  const signature = signBase64(cert.privateKey, options.signedPayload ?? payload);
  const bundle = rekorBundle(options.log ?? log, {
    payload: options.signedPayload ?? payload,
    signature,
    certPem: cert.certPem,
    integratedTime: options.at ?? Math.floor(Date.now() / 1000),
    logIndex: 42,
  });
  return {
    payload,
    annotations: {
      'dev.cosignproject.cosign/signature': signature,
      'dev.sigstore.cosign/certificate': cert.certPem,
      'dev.sigstore.cosign/chain': ca.certPem,
      'dev.sigstore.cosign/bundle': bundle,
    },
  };
}

const keylessPolicy = {
  keyless: { issuer: ISSUER, identity: POLICY_IDENTITY },
  trustedRoot: 'trusted-root.json',
};

describe('with a key (key: env:NAME)', () => {
  it('accepts a signature by the key over a payload naming the digest', async () => {
    const { repository, digest, reference } = await image('sig/key-good');
    const key = ecKey();
    const payload = simpleSigningPayload(reference, digest);
    await pushSignature(repository, digest, [
      { payload, annotations: { 'dev.cosignproject.cosign/signature': signBase64(key.privateKey, payload) } },
    ]);

    const verdict = await check(repository, digest, { key: 'env:COSIGN_KEY' }, { COSIGN_KEY: key.publicPem });

    expect(verdict).toEqual({
      ok: true,
      signer: { method: 'key', key: 'env:COSIGN_KEY', signature: `${tagFor(digest, 'sig')} layer 1` },
    });
  });

  it('refuses an image with no signature, naming the tag it looked for', async () => {
    const { repository, digest } = await image('sig/key-missing');
    const verdict = await check(
      repository,
      digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: ecKey().publicPem },
    );
    expect(verdict).toEqual({
      ok: false,
      reason: `no signature for registry ${registry.host}/${repository}@${digest}: no cosign tag ${tagFor(digest, 'sig')} with a simple-signing layer and no sigstore bundle among its referrers`,
    });
  });

  it('refuses a signature whose payload names another digest', async () => {
    const { repository, digest, reference } = await image('sig/key-other-digest');
    const other = `sha256:${'ab'.repeat(32)}`;
    const key = ecKey();
    const payload = simpleSigningPayload(reference, other);
    await pushSignature(repository, digest, [
      { payload, annotations: { 'dev.cosignproject.cosign/signature': signBase64(key.privateKey, payload) } },
    ]);

    const verdict = await check(repository, digest, { key: 'env:COSIGN_KEY' }, { COSIGN_KEY: key.publicPem });

    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toContain(`the signed payload names ${other}, not ${digest}`);
  });

  it('refuses a signature made with a key the policy does not trust', async () => {
    const { repository, digest, reference } = await image('sig/key-untrusted');
    const payload = simpleSigningPayload(reference, digest);
    await pushSignature(repository, digest, [
      {
        payload,
        annotations: { 'dev.cosignproject.cosign/signature': signBase64(ecKey().privateKey, payload) },
      },
    ]);

    const verdict = await check(
      repository,
      digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: ecKey().publicPem },
    );

    expect(!verdict.ok && verdict.reason).toContain(
      'the signature does not verify with the key in env:COSIGN_KEY',
    );
  });

  it('refuses a payload altered after it was signed', async () => {
    const { repository, digest, reference } = await image('sig/key-tampered');
    const key = ecKey();
    const signed = simpleSigningPayload(reference, digest);
    const tampered = Buffer.from(
      signed.toString('utf8').replace('"optional":null', '"optional":{"note":"changed"}'),
    );
    expect(tampered.equals(signed)).toBe(false);
    await pushSignature(repository, digest, [
      {
        payload: tampered,
        annotations: { 'dev.cosignproject.cosign/signature': signBase64(key.privateKey, signed) },
      },
    ]);

    const verdict = await check(repository, digest, { key: 'env:COSIGN_KEY' }, { COSIGN_KEY: key.publicPem });

    expect(!verdict.ok && verdict.reason).toContain(
      'the signature does not verify with the key in env:COSIGN_KEY',
    );
  });

  it('names the variable, never a value, when the key is missing or not a PEM key', async () => {
    const { repository, digest } = await image('sig/key-unset');
    const unset = await check(repository, digest, { key: 'env:COSIGN_KEY' }, {});
    expect(!unset.ok && unset.reason).toContain('environment variable COSIGN_KEY is not set');
    const garbage = await check(
      repository,
      digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: 'hunter2-not-a-key' },
    );
    expect(!garbage.ok && garbage.reason).toContain('env:COSIGN_KEY does not hold a PEM public key');
    expect(!garbage.ok && garbage.reason).not.toContain('hunter2');
  });

  it('refuses a keyless signature when the policy names a key', async () => {
    const { repository, digest, reference } = await image('sig/key-wants-key');
    await pushSignature(repository, digest, [keylessLayer(simpleSigningPayload(reference, digest))]);
    const verdict = await check(
      repository,
      digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: ecKey().publicPem },
    );
    expect(!verdict.ok && verdict.reason).toContain(
      'signed keylessly (with a certificate), but the policy wants the key in env:COSIGN_KEY',
    );
  });

  it('accepts when one of several signatures verifies', async () => {
    const { repository, digest, reference } = await image('sig/key-second');
    const key = ecKey();
    const payload = simpleSigningPayload(reference, digest);
    await pushSignature(repository, digest, [
      {
        payload,
        annotations: { 'dev.cosignproject.cosign/signature': signBase64(ecKey().privateKey, payload) },
      },
      {
        payload: Buffer.from(payload),
        annotations: { 'dev.cosignproject.cosign/signature': signBase64(key.privateKey, payload) },
      },
    ]);
    const verdict = await check(repository, digest, { key: 'env:COSIGN_KEY' }, { COSIGN_KEY: key.publicPem });
    expect(verdict).toMatchObject({ ok: true, signer: { signature: `${tagFor(digest, 'sig')} layer 2` } });
  });
});

describe('keyless (Fulcio certificate and Rekor entry, checked offline against a trusted root)', () => {
  it('accepts a signature whose certificate names the identity and issuer, and says who signed', async () => {
    const { repository, digest, reference } = await image('sig/keyless-good');
    await pushSignature(repository, digest, [keylessLayer(simpleSigningPayload(reference, digest))]);

    const verdict = await check(repository, digest, keylessPolicy);

    expect(verdict).toEqual({
      ok: true,
      signer: {
        method: 'keyless',
        identity: IDENTITY,
        issuer: ISSUER,
        signature: `${tagFor(digest, 'sig')} layer 1`,
      },
    });
  });

  it('refuses a signer whose identity does not match', async () => {
    const { repository, digest, reference } = await image('sig/keyless-identity');
    const stranger = 'https://github.com/someone-else/app/.github/workflows/release.yml@refs/heads/main';
    await pushSignature(repository, digest, [
      keylessLayer(simpleSigningPayload(reference, digest), { identity: stranger }),
    ]);

    const verdict = await check(repository, digest, keylessPolicy);

    expect(!verdict.ok && verdict.reason).toContain(
      `signed by ${stranger} (issuer ${ISSUER}); the policy wants issuer ${ISSUER} and an identity matching ${POLICY_IDENTITY}`,
    );
  });

  it('refuses a signer from another issuer', async () => {
    const { repository, digest, reference } = await image('sig/keyless-issuer');
    await pushSignature(repository, digest, [
      keylessLayer(simpleSigningPayload(reference, digest), { issuer: 'https://accounts.example.com' }),
    ]);
    const verdict = await check(repository, digest, keylessPolicy);
    expect(!verdict.ok && verdict.reason).toContain(
      '(issuer https://accounts.example.com); the policy wants issuer',
    );
  });

  it('refuses a certificate that had expired when the log recorded the signature', async () => {
    const { repository, digest, reference } = await image('sig/keyless-expired');
    const tenDaysOn = Math.floor(Date.now() / 1000) + 10 * 24 * 3600;
    await pushSignature(repository, digest, [
      keylessLayer(simpleSigningPayload(reference, digest), { at: tenDaysOn, days: 1 }),
    ]);

    const verdict = await check(repository, digest, keylessPolicy);

    expect(!verdict.ok && verdict.reason).toContain('certificate not trusted');
    expect(!verdict.ok && verdict.reason).toContain('expired');
  });

  it('refuses a certificate from a CA outside the trusted root', async () => {
    const { repository, digest, reference } = await image('sig/keyless-other-ca');
    await pushSignature(repository, digest, [
      keylessLayer(simpleSigningPayload(reference, digest), { ca: makeCa('rogue') }),
    ]);
    const verdict = await check(repository, digest, keylessPolicy);
    expect(!verdict.ok && verdict.reason).toMatch(
      /certificate not trusted: .*(no trusted certificate path|no valid certificate path)/,
    );
  });

  it('refuses a log entry signed by a log outside the trusted root', async () => {
    const { repository, digest, reference } = await image('sig/keyless-other-log');
    await pushSignature(repository, digest, [
      keylessLayer(simpleSigningPayload(reference, digest), { log: makeLog() }),
    ]);
    const verdict = await check(repository, digest, keylessPolicy);
    expect(!verdict.ok && verdict.reason).toContain('transparency log entry not trusted');
  });

  it('refuses a payload altered after it was signed and logged', async () => {
    const { repository, digest, reference } = await image('sig/keyless-tampered');
    const signed = simpleSigningPayload(reference, digest);
    const tampered = Buffer.from(signed.toString('utf8').replace('"optional":null', '"optional":{"x":1}'));
    await pushSignature(repository, digest, [keylessLayer(tampered, { signedPayload: signed })]);
    const verdict = await check(repository, digest, keylessPolicy);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toMatch(
      /transparency log entry not trusted: digest mismatch|payload or signature altered/,
    );
  });

  it('refuses a signature made with a key when the policy wants a keyless signer', async () => {
    const { repository, digest, reference } = await image('sig/keyless-wants-cert');
    const payload = simpleSigningPayload(reference, digest);
    await pushSignature(repository, digest, [
      {
        payload,
        annotations: { 'dev.cosignproject.cosign/signature': signBase64(ecKey().privateKey, payload) },
      },
    ]);
    const verdict = await check(repository, digest, keylessPolicy);
    expect(!verdict.ok && verdict.reason).toContain(
      'signed with a key, but the policy wants a keyless (certificate) signer',
    );
  });

  it("without trustedRoot, checks against Sigstore's public-good root, which does not trust the test CA", async () => {
    const { repository, digest, reference } = await image('sig/keyless-public-good');
    await pushSignature(repository, digest, [keylessLayer(simpleSigningPayload(reference, digest))]);
    const verdict = await check(repository, digest, {
      keyless: { issuer: ISSUER, identity: POLICY_IDENTITY },
    });
    expect(!verdict.ok && verdict.reason).toMatch(
      /certificate not trusted: .*(no trusted certificate path|no valid certificate path)/,
    );
  });
});

describe('cosign v3: a sigstore bundle attached as a referrer (tag schema on Distribution 2.8)', () => {
  const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

  /** A DSSE bundle over an in-toto statement naming `subjectDigest`, signed with `key` (PAE, as DSSE defines it). */
  function keyBundle(key: ReturnType<typeof ecKey>, subjectName: string, subjectDigest: string): Buffer {
    const payloadType = 'application/vnd.in-toto+json';
    const payload = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: subjectName, digest: { sha256: subjectDigest.slice('sha256:'.length) } }],
        predicateType: 'https://sigstore.dev/cosign/sign/v1',
        predicate: {},
      }),
    );
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `),
      payload,
    ]);
    return Buffer.from(
      JSON.stringify({
        mediaType: BUNDLE_V03,
        verificationMaterial: {
          publicKey: { hint: 'cosign-wrote-this' },
          tlogEntries: [],
          timestampVerificationData: { rfc3161Timestamps: [] },
        },
        dsseEnvelope: {
          payload: payload.toString('base64'),
          payloadType,
          signatures: [{ sig: signBase64(key.privateKey, pae), keyid: '' }],
        },
      }),
    );
  }

  async function attachBundle(repository: string, digest: string, size: number, bundle: Buffer) {
    const artifact = makeArtifact({
      artifactType: BUNDLE_V03,
      layers: [{ mediaType: BUNDLE_V03, bytes: bundle }],
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size },
    });
    await pushImage(registry.url, repository, artifact.digest, artifact);
    const index = referrersIndex([artifact]);
    await pushImage(registry.url, repository, tagFor(digest), {
      ...index,
      kind: 'image',
      blobs: new Map(),
    } as never);
    return artifact.digest;
  }

  it('accepts a bundle whose statement names the digest, signed by the key', async () => {
    const made = makeImage({ seed: 'sig/bundle-good' });
    await pushImage(registry.url, 'sig/bundle-good', '1', made);
    const key = ecKey();
    const bundleDigest = await attachBundle(
      'sig/bundle-good',
      made.digest,
      made.size,
      keyBundle(key, 'img', made.digest),
    );

    const verdict = await check(
      'sig/bundle-good',
      made.digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: key.publicPem },
    );

    expect(verdict).toEqual({
      ok: true,
      signer: { method: 'key', key: 'env:COSIGN_KEY', signature: `bundle ${bundleDigest}` },
    });
  });

  it('refuses a bundle whose statement names another digest', async () => {
    const made = makeImage({ seed: 'sig/bundle-other' });
    await pushImage(registry.url, 'sig/bundle-other', '1', made);
    const key = ecKey();
    const other = `sha256:${'cd'.repeat(32)}`;
    await attachBundle('sig/bundle-other', made.digest, made.size, keyBundle(key, 'img', other));

    const verdict = await check(
      'sig/bundle-other',
      made.digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: key.publicPem },
    );

    expect(!verdict.ok && verdict.reason).toContain(
      `the signed statement names ${other}, not ${made.digest}`,
    );
  });

  it('refuses a bundle signed by another key', async () => {
    const made = makeImage({ seed: 'sig/bundle-untrusted' });
    await pushImage(registry.url, 'sig/bundle-untrusted', '1', made);
    await attachBundle(
      'sig/bundle-untrusted',
      made.digest,
      made.size,
      keyBundle(ecKey(), 'img', made.digest),
    );

    const verdict = await check(
      'sig/bundle-untrusted',
      made.digest,
      { key: 'env:COSIGN_KEY' },
      { COSIGN_KEY: ecKey().publicPem },
    );

    expect(!verdict.ok && verdict.reason).toContain(
      'the signature does not verify with the key in env:COSIGN_KEY',
    );
  });
});

describe('as a gate verdict', () => {
  it('passes with who signed, fails with the reason', async () => {
    const { repository, digest, reference } = await image('sig/verdict');
    await pushSignature(repository, digest, [keylessLayer(simpleSigningPayload(reference, digest))]);
    const store = registryStore(registry.host);

    const passed = await signatureVerdict({
      store,
      repository,
      digest,
      policy: keylessPolicy,
      baseDir: rootDir,
    });
    const failed = await signatureVerdict({
      store,
      repository,
      digest,
      policy: { ...keylessPolicy, keyless: { issuer: ISSUER, identity: '^https://github\\.com/elsewhere/' } },
      baseDir: rootDir,
    });

    expect(passed).toEqual({ passed: true, detail: `signed by ${IDENTITY} (issuer ${ISSUER})` });
    expect(failed).toEqual({
      passed: false,
      reason: `no signature of registry ${registry.host}/${repository}@${digest} passes the policy: ${tagFor(digest, 'sig')} layer 1: signed by ${IDENTITY} (issuer ${ISSUER}); the policy wants issuer ${ISSUER} and an identity matching ^https://github\\.com/elsewhere/`,
    });
  });
});
