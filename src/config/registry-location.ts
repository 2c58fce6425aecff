// Where the private registry lives: a registry host, or an OCI image layout directory.

export type RegistryLocation =
  | { readonly kind: 'registry'; readonly host: string; readonly scheme: 'http' | 'https' }
  | { readonly kind: 'oci-layout'; readonly path: string };

const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

/**
 * Parses `registry.url`: `myregistry.azurecr.io`, `http://127.0.0.1:5000`, `oci-layout:./dir`. A bare host
 * is spoken to over HTTPS, except on a loopback address, where plain HTTP is used as Docker does.
 */
export function parseRegistryLocation(url: string): RegistryLocation {
  if (url.startsWith('oci-layout:')) {
    const path = url.slice('oci-layout:'.length);
    if (path === '') throw new Error("oci-layout: needs a directory, e.g. 'oci-layout:./.basewatch/mirror'");
    return { kind: 'oci-layout', path };
  }
  const m = /^(?:(https?):\/\/)?([^/]+)\/?$/.exec(url);
  const host = m?.[2];
  if (!m || host === undefined || !HOST.test(host)) {
    throw new Error(`'${url}' is not a registry host, http(s)://host[:port] or oci-layout:PATH`);
  }
  const scheme = (m[1] as 'http' | 'https' | undefined) ?? (LOOPBACK.test(host) ? 'http' : 'https');
  return { kind: 'registry', host, scheme };
}

/** The host that prefixes private references, if the registry has one (an OCI layout has none). */
export function registryHost(location: RegistryLocation): string | undefined {
  return location.kind === 'registry' ? location.host : undefined;
}
