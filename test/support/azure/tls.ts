import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCert } from '../self-signed-cert.js';

/** A self-signed certificate for 127.0.0.1 and localhost; `certPem` is also the CA a client must trust. */
export interface LoopbackCert {
  keyPem: string;
  certPem: string;
}

/**
 * Made in a temp dir that is removed at once. The Azure SDK refuses bearer tokens over plain HTTP, so the
 * fake ARM endpoint (and a token-authenticated Event Grid topic) must speak TLS.
 */
export async function createLoopbackCert(): Promise<LoopbackCert> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-tls-'));
  try {
    const cert = await createSelfSignedCert(dir, {
      name: 'loopback',
      subject: '/CN=127.0.0.1',
      days: 2,
      subjectAltName: 'IP:127.0.0.1,DNS:localhost',
      purpose: 'loopback TLS',
    });
    return { keyPem: cert.keyPem, certPem: cert.certPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
