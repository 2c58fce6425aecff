// A local Event Grid custom topic for CloudEvents: it accepts what the publish API accepts and nothing
// else — POST /api/events?api-version=2018-01-01, `application/cloudevents-batch+json`, an
// `aeg-sas-key` or a bearer token for https://eventgrid.azure.net, a batch of CloudEvents 1.0 with
// id/source/type, at most 1 MB — and answers errors with Event Grid's {"error": {"code", "message"}}.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tokenFor } from './test-credential.js';
import { createLoopbackCert } from './tls.js';

export const EVENT_GRID_API_VERSION = '2018-01-01';
export const EVENT_GRID_SCOPE = 'https://eventgrid.azure.net/.default';
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface ReceivedCloudEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  data?: unknown;
}

export interface EventGridTopicOptions {
  /** Accept this access key in `aeg-sas-key`. */
  key?: string;
  /** Accept a bearer token for Event Grid's audience; needs TLS, as the SDK sends tokens only over https. */
  acceptToken?: boolean;
  /** Answer the next `failNext` publishes with this status (e.g. 503). */
  failNext?: { times: number; status: number };
}

export interface EventGridTopic {
  /** The topic endpoint, `http(s)://127.0.0.1:PORT/api/events`. */
  endpoint: string;
  /** The certificate to trust when the topic speaks TLS. */
  ca?: string;
  events: ReceivedCloudEvent[];
  rejections: { status: number; code: string; message: string }[];
  stop(): Promise<void>;
}

class TopicReply extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function checkCloudEvent(event: unknown, index: number): ReceivedCloudEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new TopicReply(400, 'BadRequest', `event ${index} is not a JSON object`);
  }
  const e = event as Record<string, unknown>;
  if (e.specversion !== '1.0')
    throw new TopicReply(400, 'BadRequest', `event ${index}: specversion must be "1.0"`);
  for (const field of ['id', 'source', 'type'] as const) {
    if (!isString(e[field]))
      throw new TopicReply(400, 'BadRequest', `event ${index}: required attribute '${field}' is missing`);
  }
  if (e.time !== undefined && (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time)))) {
    throw new TopicReply(400, 'BadRequest', `event ${index}: time must be an RFC 3339 timestamp`);
  }
  if (e.data !== undefined && e.data_base64 !== undefined) {
    throw new TopicReply(400, 'BadRequest', `event ${index}: data and data_base64 are exclusive`);
  }
  return e as unknown as ReceivedCloudEvent;
}

export async function startEventGridTopic(options: EventGridTopicOptions = {}): Promise<EventGridTopic> {
  const events: ReceivedCloudEvent[] = [];
  const rejections: EventGridTopic['rejections'] = [];
  const failNext = options.failNext ? { ...options.failNext } : undefined;
  const cert = options.acceptToken ? await createLoopbackCert() : undefined;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    receive(req)
      .then(() => {
        res.writeHead(200).end();
      })
      .catch((error: unknown) => {
        const reply =
          error instanceof TopicReply ? error : new TopicReply(500, 'InternalServerError', String(error));
        rejections.push({ status: reply.status, code: reply.code, message: reply.message });
        res
          .writeHead(reply.status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: reply.code, message: reply.message } }));
      });
  };
  const server: Server = cert
    ? createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, handler)
    : createHttpServer(handler);

  async function receive(req: IncomingMessage): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST' || url.pathname !== '/api/events') {
      throw new TopicReply(404, 'NotFound', `${req.method} ${url.pathname} is not the publish endpoint`);
    }
    const version = url.searchParams.get('api-version');
    if (version !== EVENT_GRID_API_VERSION) {
      throw new TopicReply(
        400,
        'BadRequest',
        `api-version '${version ?? ''}' is not supported; use ${EVENT_GRID_API_VERSION}`,
      );
    }
    checkAuthorization(req);
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/cloudevents-batch\+json\s*(;\s*charset=utf-8\s*)?$/i.test(type)) {
      throw new TopicReply(
        400,
        'BadRequest',
        `content type '${type}' is not application/cloudevents-batch+json`,
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES)
        throw new TopicReply(413, 'RequestEntityTooLarge', 'the request exceeds 1 MB');
      chunks.push(chunk as Buffer);
    }
    if (failNext && failNext.times > 0) {
      failNext.times -= 1;
      throw new TopicReply(failNext.status, 'ServiceUnavailable', 'the topic is unavailable (injected)');
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new TopicReply(400, 'BadRequest', 'the body is not JSON');
    }
    if (!Array.isArray(body))
      throw new TopicReply(400, 'BadRequest', 'a CloudEvents batch must be a JSON array');
    events.push(...body.map(checkCloudEvent));
  }

  function checkAuthorization(req: IncomingMessage): void {
    const key = req.headers['aeg-sas-key'];
    const bearer = req.headers.authorization;
    if (options.key !== undefined && key === options.key) return;
    if (options.acceptToken && bearer === `Bearer ${tokenFor(EVENT_GRID_SCOPE)}`) return;
    if (key === undefined && bearer === undefined) {
      throw new TopicReply(
        401,
        'Unauthorized',
        'the request carries no aeg-sas-key, aeg-sas-token or bearer token',
      );
    }
    throw new TopicReply(401, 'Unauthorized', 'the key or token is not valid for this topic');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `${cert ? 'https' : 'http'}://127.0.0.1:${port}/api/events`,
    ...(cert && { ca: cert.certPem }),
    events,
    rejections,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
