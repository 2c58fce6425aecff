// Upstream registry credentials, resolved from the environment inside the activity that pulls.
import type { RegistryCredential } from '../core/credential.js';
import { resolveSecret, resolveValue } from './secret.js';
import type { BasewatchConfig } from './types.js';

/**
 * The credential configured for `host` (e.g. `docker.io`), or undefined when none is configured and
 * pulls are anonymous. A configured credential whose variable is missing throws MissingSecretError
 * naming the variable: the run fails rather than falling back to anonymous pulls.
 */
export function registryCredential(
  config: Pick<BasewatchConfig, 'credentials'>,
  host: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): RegistryCredential | undefined {
  const configured = config.credentials[host];
  if (!configured) return undefined;
  return {
    username: resolveValue(configured.username, env, `user name for ${host}`),
    password: resolveSecret(configured.password, env, `password for ${host}`),
  };
}
