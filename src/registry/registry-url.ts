// Where a registry host is reached: loopback over plain HTTP (as Docker does), the rest over HTTPS.
import { DOCKER_HUB } from '../core/reference.js';

export function isLoopbackHost(registry: string): boolean {
  const host = hostname(registry);
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * `127.0.0.1:5000` → `http://127.0.0.1:5000`; `docker.io` → `https://registry-1.docker.io`. Hosts in
 * `plainHttp` (a config that says `http://host`) are spoken to over plain HTTP too.
 */
export function registryBaseUrl(registry: string, plainHttp: ReadonlySet<string> = NO_HOSTS): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  return `${isLoopbackHost(registry) || plainHttp.has(registry) ? 'http' : 'https'}://${registry}`;
}

const NO_HOSTS: ReadonlySet<string> = new Set();

function hostname(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon >= 0 ? registry.slice(0, colon) : registry;
}
