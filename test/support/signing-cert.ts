import { X509Certificate } from 'node:crypto';
import { createSelfSignedCert } from './self-signed-cert.js';

/** A P-256 key and the self-signed certificate that vouches for it. */
export interface SigningCert {
  keyPem: string;
  certPem: string;
  /** DER bytes of the certificate, as the JWT `x5c` header carries them (base64). */
  certDer: Buffer;
  certPath: string;
}

/** Writes the token issuer's key and certificate into `dir`; the cert is also the registry's rootcertbundle. */
export async function createSigningCert(dir: string): Promise<SigningCert> {
  const cert = await createSelfSignedCert(dir, {
    name: 'token',
    subject: '/CN=basewatch-test-token-issuer',
    days: 7,
    purpose: 'token auth',
  });
  return {
    keyPem: cert.keyPem,
    certPem: cert.certPem,
    certDer: Buffer.from(new X509Certificate(cert.certPem).raw),
    certPath: cert.certPath,
  };
}
