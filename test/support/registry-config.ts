import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

/** A Distribution notifications endpoint (the registry POSTs push/pull events to `url`). */
export interface NotificationEndpoint {
  url: string;
  name?: string;
  /** Go durations, e.g. `1s`. */
  timeout?: string;
  backoff?: string;
  threshold?: number;
  ignoredmediatypes?: string[];
  /** Sent with every notification, e.g. `{ Authorization: ['Bearer …'] }`. */
  headers?: Record<string, string[]>;
}

export type RegistryAuthConfig =
  | { kind: 'none' }
  | { kind: 'htpasswd'; path: string }
  | { kind: 'token'; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface RegistryConfigInput {
  port: number;
  storageDir: string;
  auth: RegistryAuthConfig;
  notifications?: NotificationEndpoint[];
}

/** Distribution's config; YAML is a superset of JSON, so JSON.stringify writes valid YAML. */
export function registryConfig(input: RegistryConfigInput): object {
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'info', formatter: 'json', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: input.storageDir },
      cache: { blobdescriptor: 'inmemory' },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${input.port}`, secret: 'basewatch-test-registry' },
  };
  const auth = input.auth;
  if (auth.kind === 'htpasswd') {
    config.auth = { htpasswd: { realm: 'basewatch-test', path: auth.path } };
  } else if (auth.kind === 'token') {
    config.auth = {
      token: {
        realm: auth.realm,
        service: auth.service,
        issuer: auth.issuer,
        rootcertbundle: auth.rootCertBundle,
      },
    };
  }
  if (input.notifications && input.notifications.length > 0) {
    config.notifications = {
      endpoints: input.notifications.map((endpoint, i) => ({
        name: endpoint.name ?? `endpoint-${i}`,
        url: endpoint.url,
        timeout: endpoint.timeout ?? '1s',
        threshold: endpoint.threshold ?? 5,
        backoff: endpoint.backoff ?? '1s',
        ...(endpoint.ignoredmediatypes ? { ignoredmediatypes: endpoint.ignoredmediatypes } : {}),
        ...(endpoint.headers ? { headers: endpoint.headers } : {}),
      })),
    };
  }
  return config;
}

/** Writes an htpasswd file; Distribution accepts only bcrypt entries. */
export async function writeHtpasswd(path: string, users: Record<string, string>): Promise<void> {
  // Cost 4 is bcrypt's minimum: the hashes only guard a throwaway test registry.
  const lines = Object.entries(users).map(([name, password]) => `${name}:${bcrypt.hashSync(password, 4)}`);
  await writeFile(path, `${lines.join('\n')}\n`);
}

export async function writeRegistryConfig(dir: string, input: RegistryConfigInput): Promise<string> {
  const path = join(dir, 'config.yml');
  await writeFile(path, JSON.stringify(registryConfig(input), null, 2));
  return path;
}
