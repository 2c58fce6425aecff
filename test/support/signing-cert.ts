import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A P-256 key and the self-signed certificate that vouches for it. */
export interface SigningCert {
  keyPem: string;
  certPem: string;
  /** DER bytes of the certificate, as the JWT `x5c` header carries them (base64). */
  certDer: Buffer;
  certPath: string;
}

/** Writes key.pem and cert.pem into `dir` with openssl; the cert is also the registry's rootcertbundle. */
export async function createSigningCert(dir: string): Promise<SigningCert> {
  const keyPath = join(dir, 'token-key.pem');
  const certPath = join(dir, 'token-cert.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '7',
      '-subj',
      '/CN=basewatch-test-token-issuer',
    ]);
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error('token auth needs openssl: apt-get install -y openssl');
    throw new Error(`openssl could not create the token signing certificate: ${stderr || String(error)}`);
  }
  const [keyPem, certPem] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return { keyPem, certPem, certDer: Buffer.from(new X509Certificate(certPem).raw), certPath };
}
