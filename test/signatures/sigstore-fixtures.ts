// Signatures made the way cosign and Sigstore make them, without cosign and without product code:
// node:crypto signs, openssl plays Fulcio (a test CA issuing short-lived code-signing certificates
// with the OIDC issuer extension), and a test Rekor key signs entry timestamps.
import { execFileSync } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  privateKey: KeyObject;
  publicPem: string;
  spkiDer: Buffer;
}

export function ecKey(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

/** ECDSA P-256 over SHA-256, DER, base64: what cosign puts in dev.cosignproject.cosign/signature. */
export function signBase64(key: KeyObject, bytes: Buffer): string {
  return sign('sha256', bytes, key).toString('base64');
}

export interface TestCa {
  dir: string;
  keyPath: string;
  certPath: string;
  certPem: string;
  certDer: Buffer;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed root CA, as Fulcio's root is. */
export function makeCa(name: string): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'basewatch-sigstore-ca-'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key'], dir);
  openssl(
    [
      'req',
      '-new',
      '-x509',
      '-key',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      `/O=basewatch-test/CN=${name}`,
      '-extensions',
      'v3',
      '-config',
      writeReqConfig(dir),
    ],
    dir,
  );
  const certPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  return {
    dir,
    keyPath: join(dir, 'ca.key'),
    certPath: join(dir, 'ca.pem'),
    certPem,
    certDer: pemToDer(certPem),
  };
}

function writeReqConfig(dir: string): string {
  const path = join(dir, 'req.cnf');
  writeFileSync(
    path,
    '[req]\ndistinguished_name=dn\n[dn]\n[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n',
  );
  return path;
}

export interface SigningCertificate {
  privateKey: KeyObject;
  certPem: string;
}

/** A Fulcio-like leaf: code signing, the identity as a URI SAN, the issuer in extension 1.3.6.1.4.1.57264.1.8. */
export function issueCertificate(
  ca: TestCa,
  options: { identity: string; issuer: string; days?: number },
): SigningCertificate {
  const dir = mkdtempSync(join(ca.dir, 'leaf-'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.key'], dir);
  openssl(
    [
      'req',
      '-new',
      '-key',
      'leaf.key',
      '-out',
      'leaf.csr',
      '-subj',
      '/O=sigstore.test',
      '-config',
      writeReqConfig(dir),
    ],
    dir,
  );
  const san =
    options.identity.includes('@') && !options.identity.includes('://')
      ? `email:${options.identity}`
      : `URI:${options.identity}`;
  writeFileSync(
    join(dir, 'leaf.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=codeSigning',
      `subjectAltName=critical,${san}`,
      `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${options.issuer}`,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      ca.certPath,
      '-CAkey',
      ca.keyPath,
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      String(options.days ?? 1),
      '-extfile',
      'leaf.ext',
    ],
    dir,
  );
  return {
    privateKey: createPrivateKey(readFileSync(join(dir, 'leaf.key'))),
    certPem: readFileSync(join(dir, 'leaf.pem'), 'utf8'),
  };
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64');
}

export interface TestLog {
  key: KeyPair;
  /** sha256 of the log's public key (SPKI DER), hex: Rekor's log ID. */
  logIdHex: string;
}

export function makeLog(): TestLog {
  const key = ecKey();
  return { key, logIdHex: createHash('sha256').update(key.spkiDer).digest('hex') };
}

/**
 * The `dev.sigstore.cosign/bundle` annotation for a hashedrekord entry of this signature: the entry
 * body and the log's signed entry timestamp over the canonical JSON {body, integratedTime, logID, logIndex}.
 */
export function rekorBundle(
  log: TestLog,
  entry: { payload: Buffer; signature: string; certPem: string; integratedTime: number; logIndex: number },
): string {
  const body = Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: {
          hash: { algorithm: 'sha256', value: createHash('sha256').update(entry.payload).digest('hex') },
        },
        signature: {
          content: entry.signature,
          publicKey: { content: Buffer.from(entry.certPem).toString('base64') },
        },
      },
    }),
  ).toString('base64');
  // RFC 8785 for these values is keys in code-point order and no spaces.
  const canonical = `{"body":${JSON.stringify(body)},"integratedTime":${entry.integratedTime},"logID":${JSON.stringify(log.logIdHex)},"logIndex":${entry.logIndex}}`;
  return JSON.stringify({
    SignedEntryTimestamp: signBase64(log.key.privateKey, Buffer.from(canonical)),
    Payload: { body, integratedTime: entry.integratedTime, logIndex: entry.logIndex, logID: log.logIdHex },
  });
}

/** A sigstore trusted root holding the test CA and the test log (no CT logs, no TSAs). */
export function trustedRootJson(ca: TestCa, log: TestLog): string {
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.sigstore.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: log.key.spkiDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        logId: { keyId: Buffer.from(log.logIdHex, 'hex').toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'basewatch-test', commonName: 'fulcio' },
        uri: 'https://fulcio.sigstore.test',
        certChain: { certificates: [{ rawBytes: ca.certDer.toString('base64') }] },
        validFor: { start: '2020-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [],
    timestampAuthorities: [],
  });
}

export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}
