import { createPrivateKey, randomUUID, sign } from 'node:crypto';

/** One grant in a registry token, e.g. `{ type: 'repository', name: 'base/node', actions: ['pull'] }`. */
export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface RegistryClaims {
  issuer: string;
  subject: string;
  audience: string;
  access: AccessEntry[];
  expiresInSeconds: number;
}

const base64url = (value: Buffer | string): string => Buffer.from(value).toString('base64url');

/** An ES256 JWT in the shape Distribution's `auth: token` verifies (x5c chain to its rootcertbundle). */
export function signRegistryToken(claims: RegistryClaims, keyPem: string, certDer: Buffer): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] };
  const payload = {
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.audience,
    exp: now + claims.expiresInSeconds,
    nbf: now - 1,
    iat: now,
    jti: randomUUID(),
    access: claims.access,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  // JWS wants the raw r||s signature, not DER.
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: createPrivateKey(keyPem),
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${base64url(signature)}`;
}
