import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A self-signed certificate for 127.0.0.1 and localhost; `certPem` is also the CA a client must trust. */
export interface LoopbackCert {
  keyPem: string;
  certPem: string;
}

/**
 * Made with openssl into a temp dir that is removed at once. The Azure SDK refuses bearer tokens over
 * plain HTTP, so the fake ARM endpoint (and a token-authenticated Event Grid topic) must speak TLS.
 */
export async function createLoopbackCert(): Promise<LoopbackCert> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
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
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const [keyPem, certPem] = await Promise.all([readFile(keyPath, 'utf8'), readFile(certPath, 'utf8')]);
    return { keyPem, certPem };
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl could not create a loopback TLS certificate: ${stderr || String(error)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
