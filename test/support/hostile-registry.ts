// A registry that serves whatever bytes a test hands it — indexes no honest registry would hold,
// trickled bodies, forged digests — over the distribution API, counting every request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HostileServer, type HostileServerOptions, startHostileServer } from './hostile-server.js';
import { sha256Digest } from './images.js';

export interface HostileManifest {
  bytes: Buffer;
  mediaType: string;
}

export interface HostileRegistryContent {
  /** By tag or by digest; a manifest is served under its own digest too. */
  manifests?: Record<string, HostileManifest>;
  blobs?: Record<string, Buffer>;
  /** Answers a request itself when it returns true (trickles, forged headers, …). */
  override?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface HostileRegistry extends HostileServer {
  /** GETs of one manifest or blob path, e.g. `/v2/base/node/manifests/sha256:…`. */
  gets(path: string): number;
}

export async function startHostileRegistry(
  content: HostileRegistryContent,
  options: HostileServerOptions = {},
): Promise<HostileRegistry> {
  const manifests = new Map<string, HostileManifest>();
  for (const [key, manifest] of Object.entries(content.manifests ?? {})) {
    manifests.set(key, manifest);
    manifests.set(sha256Digest(manifest.bytes), manifest);
  }
  const server = await startHostileServer((req, res) => {
    if (content.override?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v2/') return answer(res, req, 200, {}, Buffer.from('{}'));
    const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    const key = match?.[3] ?? '';
    if (match?.[2] === 'manifests' && manifests.has(key)) {
      const manifest = manifests.get(key)!;
      return answer(
        res,
        req,
        200,
        { 'content-type': manifest.mediaType, 'docker-content-digest': sha256Digest(manifest.bytes) },
        manifest.bytes,
      );
    }
    const blob = content.blobs?.[key];
    if (match?.[2] === 'blobs' && blob) {
      return answer(
        res,
        req,
        200,
        { 'content-type': 'application/octet-stream', 'docker-content-digest': key },
        blob,
      );
    }
    const code = match?.[2] === 'blobs' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN';
    answer(
      res,
      req,
      404,
      { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ errors: [{ code }] })),
    );
  }, options);
  return {
    ...server,
    gets: (path) => server.requests().filter((r) => r.method === 'GET' && r.path === path).length,
  };
}

function answer(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
): void {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Index bytes listing `entries` as they are (repeats, odd digests and all). */
export function indexBytes(entries: object[], mediaType = 'application/vnd.oci.image.index.v1+json'): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries }));
}
