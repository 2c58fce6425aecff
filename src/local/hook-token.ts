// Registry notifications on the local host must carry `Authorization: Bearer <hooks.token>`; without a
// configured token the routes are closed. The token is resolved per request and compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { MissingSecretError, resolveSecret } from '../config/secret.js';
import type { BasewatchConfig } from '../config/types.js';

export interface HookRefusal {
  readonly status: 401 | 403;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Undefined when the request may pass; else why not. Messages name the key or variable, never a value. */
export function checkHookToken(
  config: BasewatchConfig,
  authorization: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): HookRefusal | undefined {
  const reference = config.hooks?.token;
  if (reference === undefined) {
    return {
      status: 403,
      message: `registry notifications are refused: set hooks.token in ${config.file} (hooks: { token: env:NAME }) and have the registry send Authorization: Bearer <token>`,
    };
  }
  let token: string;
  try {
    token = resolveSecret(reference, env, 'hooks.token');
  } catch (error) {
    if (!(error instanceof MissingSecretError)) throw error;
    return { status: 403, message: `registry notifications are refused: ${error.message}` };
  }
  const given = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
  if (given !== undefined && sameSecret(given, token)) return undefined;
  return {
    status: 401,
    headers: { 'www-authenticate': 'Bearer realm="basewatch hooks"' },
    message: `registry notifications need Authorization: Bearer <the value of hooks.token>${given === undefined ? '' : '; the token given is not it'}`,
  };
}

/** Compares digests of both, so neither the length nor the first difference shows in the time taken. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
