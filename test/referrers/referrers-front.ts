// A registry with the OCI 1.1 referrers API, for the tests: a real CNCF Distribution behind a front
// that indexes every manifest PUT with a `subject` (answering `OCI-Subject` as the spec says) and
// serves `GET /v2/<name>/referrers/<digest>`. Storage, digests and every other route stay Distribution's.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRegistry, type TestRegistry } from '../support/registry.js';

export interface ReferrersRegistry {
  host: string;
  url: string;
  registry: TestRegistry;
  /** Referrers listed per `<repository>@<subject digest>`, as the front indexed them. */
  listed(repository: string, subject: string): Record<string, unknown>[];
  /** Replaces the answer to one referrers query (hostile-registry cases). */
  answerReferrers(answer: (repository: string, subject: string, url: URL) => ForcedAnswer | undefined): void;
  stop(): Promise<void>;
}

/** A hostile or paged answer to a referrers query. */
export interface ForcedAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const MANIFEST_PUT = /^\/v2\/(.+)\/manifests\/([^/]+)$/;
const REFERRERS_GET = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/;

export async function startReferrersRegistry(): Promise<ReferrersRegistry> {
  const registry = await startRegistry();
  const index = new Map<string, Map<string, Record<string, unknown>>>();
  let override: ((repository: string, subject: string, url: URL) => ForcedAnswer | undefined) | undefined;
  const listed = (repository: string, subject: string) => [
    ...(index.get(`${repository}@${subject}`)?.values() ?? []),
  ];

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => {
      res.statusCode = 502;
      res.end(error.message);
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://front').pathname;
    const referrers = REFERRERS_GET.exec(path);
    if (req.method === 'GET' && referrers) {
      const [, repository, subject] = referrers as unknown as [string, string, string];
      const forced = override?.(repository, subject, new URL(req.url ?? '/', front.url));
      res.writeHead(forced?.status ?? 200, {
        'content-type': 'application/vnd.oci.image.index.v1+json',
        ...forced?.headers,
      });
      res.end(
        forced?.body ??
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.index.v1+json',
            manifests: listed(repository, subject),
          }),
      );
      return;
    }
    const put = MANIFEST_PUT.exec(path);
    if (req.method === 'PUT' && put) {
      const body = Buffer.concat(await req.toArray());
      const answer = await forward(req, body);
      const subject = subjectOf(body);
      if (answer.status === 201 && subject !== undefined) {
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        const key = `${put[1]}@${subject}`;
        if (!index.has(key)) index.set(key, new Map());
        index.get(key)!.set(digest, referrerDescriptor(body, digest, req.headers['content-type'] ?? ''));
        answer.headers['oci-subject'] = subject;
      }
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    const answer = await forward(
      req,
      req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(await req.toArray()),
    );
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };
  const forward = (req: IncomingMessage, body: Buffer | undefined) =>
    new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>(
      (resolve, reject) => {
        const upstream = new URL(registry.url);
        const out = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host },
          },
          async (answer) => {
            const bytes = Buffer.concat(await answer.toArray());
            const headers: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value === undefined || name === 'transfer-encoding' || name === 'connection') continue;
              // Upload locations point at the registry behind; the client must come back through the front.
              headers[name] =
                name === 'location' && typeof value === 'string'
                  ? value.replace(registry.url, front.url)
                  : value;
            }
            resolve({ status: answer.statusCode ?? 502, headers, body: bytes });
          },
        );
        out.on('error', reject);
        out.end(body);
      },
    );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const front = { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` };
  return {
    ...front,
    registry,
    listed,
    answerReferrers: (answer) => {
      override = answer;
    },
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await registry.stop();
    },
  };
}

function subjectOf(body: Buffer): string | undefined {
  try {
    const digest = (JSON.parse(body.toString('utf8')) as { subject?: { digest?: unknown } }).subject?.digest;
    return typeof digest === 'string' ? digest : undefined;
  } catch {
    return undefined;
  }
}

/** The descriptor the spec lists: artifactType (else the config's media type) and annotations. */
function referrerDescriptor(body: Buffer, digest: string, mediaType: string): Record<string, unknown> {
  const json = JSON.parse(body.toString('utf8')) as {
    artifactType?: string;
    config?: { mediaType?: string };
    annotations?: Record<string, string>;
  };
  return {
    mediaType,
    digest,
    size: body.length,
    artifactType: json.artifactType ?? json.config?.mediaType,
    ...(json.annotations && { annotations: json.annotations }),
  };
}
