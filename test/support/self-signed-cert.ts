// A P-256 key and a self-signed certificate, made with openssl: the token server's signing certificate
// and the fake Azure endpoints' TLS certificate.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCert {
  keyPem: string;
  certPem: string;
  keyPath: string;
  certPath: string;
}

/** Writes `<name>-key.pem` and `<name>-cert.pem` into `dir`. */
export async function createSelfSignedCert(
  dir: string,
  options: { name: string; subject: string; days: number; subjectAltName?: string; purpose: string },
): Promise<SelfSignedCert> {
  const keyPath = join(dir, `${options.name}-key.pem`);
  const certPath = join(dir, `${options.name}-cert.pem`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  args.push('-keyout', keyPath, '-out', certPath, '-days', String(options.days), '-subj', options.subject);
  if (options.subjectAltName) args.push('-addext', `subjectAltName=${options.subjectAltName}`);
  try {
    await run('openssl', args);
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: string };
    if (code === 'ENOENT') throw new Error(`${options.purpose} needs openssl: apt-get install -y openssl`);
    throw new Error(
      `openssl could not create the ${options.purpose} certificate: ${stderr || String(error)}`,
    );
  }
  const [keyPem, certPem] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
  return { keyPem, certPem, keyPath, certPath };
}
