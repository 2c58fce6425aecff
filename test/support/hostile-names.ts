// Hostile servers under names of their own (`registry.hostile.test`, `realm.hostile.test`, …), all on
// loopback: a name off loopback is spoken to over HTTPS, and each name is a different host to the
// client. Pass `hostileConnect(cert)` as the HttpClient's `connect` option.

import type { LookupAddress } from 'node:dns';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCert } from './self-signed-cert.js';

export const HOSTILE_DOMAIN = 'hostile.test';

export interface HostileCert {
  keyPem: string;
  certPem: string;
}

/** One certificate for every `*.hostile.test` name. */
export async function createHostileCert(): Promise<HostileCert> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-hostile-tls-'));
  try {
    const cert = await createSelfSignedCert(dir, {
      name: 'hostile',
      subject: `/CN=*.${HOSTILE_DOMAIN}`,
      days: 2,
      subjectAltName: `DNS:*.${HOSTILE_DOMAIN}`,
      purpose: 'hostile TLS',
    });
    return { keyPem: cert.keyPem, certPem: cert.certPem };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Connection options that resolve `*.hostile.test` and localhost to 127.0.0.1 (nothing else) and trust `cert`. */
export function hostileConnect(cert: HostileCert) {
  const lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    if (hostname !== 'localhost' && !hostname.endsWith(`.${HOSTILE_DOMAIN}`)) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      callback(error, options.all ? [] : '');
      return;
    }
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  return { ca: cert.certPem, lookup };
}
