// A local Event Grid custom topic for CloudEvents: it accepts what the publish API accepts and nothing
// else — HTTPS only (Event Grid serves no plain HTTP, so a key sent there is refused), POST
// /api/events?api-version=2018-01-01, `application/cloudevents-batch+json`, an `aeg-sas-key` or a bearer
// token for https://eventgrid.azure.net, a non-empty batch of CloudEvents 1.0 (id/source/type, RFC 3339
// `time`, extension attribute names of lower-case letters and digits, at most 20), at most 1 MB per
// request and per event as documented — and answers errors with Event Grid's {"error": {"code", "message"}}.
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
/** Documented limits (Learn, "Event Grid quotas and limits"): 1 MB per publish request and per event. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
export const MAX_EVENT_BYTES = 1024 * 1024;
/** Bodies beyond this are not even read to the end. */
const DRAIN_LIMIT_BYTES = 8 * MAX_REQUEST_BYTES;

const CONTEXT_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);
/** CloudEvents 1.0: extension names are lower-case ASCII letters and digits; Event Grid allows 20 at most. */
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
/** RFC 3339 date-time, as CloudEvents' `time` requires. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

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

/** One publish request as the topic answered it. */
export interface PublishRequest {
  /** `https`, or `http` for a request to the plain-HTTP listener (always refused). */
  scheme: 'https' | 'http';
  status: number;
  /** Events in the batch, when the body was read and was a JSON array. */
  events?: number;
  bytes: number;
}

export interface InjectedFailure {
  times: number;
  /** e.g. 429, 500, 503. */
  status: number;
  retryAfterSeconds?: number;
}

export interface EventGridTopicOptions {
  /** Accept this access key in `aeg-sas-key`. */
  key?: string;
  /** Accept a bearer token for Event Grid's audience. */
  acceptToken?: boolean;
  /** Answer the first publishes with this status, as `failNext` does. */
  failNext?: InjectedFailure;
}

export interface EventGridTopic {
  /** The topic endpoint, `https://127.0.0.1:PORT/api/events`. */
  endpoint: string;
  /** The certificate to trust (the client's `tlsOptions.ca`). */
  ca: string;
  /** The same topic over plain HTTP, `http://127.0.0.1:PORT/api/events`, where every publish is refused. */
  plainHttpEndpoint: string;
  /** Events accepted, in order. */
  events: ReceivedCloudEvent[];
  rejections: { status: number; code: string; message: string }[];
  /** Every publish request, accepted or not, in order. */
  requests: PublishRequest[];
  /** Answer the next `times` well-formed, authorised publishes with `status` (and Retry-After). */
  failNext(failure: InjectedFailure): void;
  stop(): Promise<void>;
}

class TopicReply extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

const INJECTED_CODES: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

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
  if (
    e.time !== undefined &&
    (typeof e.time !== 'string' || !RFC3339.test(e.time) || Number.isNaN(Date.parse(e.time)))
  ) {
    throw new TopicReply(400, 'BadRequest', `event ${index}: time must be an RFC 3339 timestamp`);
  }
  if (e.data !== undefined && e.data_base64 !== undefined) {
    throw new TopicReply(400, 'BadRequest', `event ${index}: data and data_base64 are exclusive`);
  }
  for (const name of Object.keys(e)) {
    if (CONTEXT_ATTRIBUTES.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      throw new TopicReply(
        400,
        'BadRequest',
        `event ${index}: extension attribute '${name}' must be 1-20 lower-case letters or digits`,
      );
    }
  }
  if (Buffer.byteLength(JSON.stringify(e)) > MAX_EVENT_BYTES) {
    throw new TopicReply(413, 'RequestEntityTooLarge', `event ${index} exceeds the 1 MB event limit`);
  }
  return e as unknown as ReceivedCloudEvent;
}

export async function startEventGridTopic(options: EventGridTopicOptions = {}): Promise<EventGridTopic> {
  const events: ReceivedCloudEvent[] = [];
  const rejections: EventGridTopic['rejections'] = [];
  const requests: PublishRequest[] = [];
  const failures: InjectedFailure[] = options.failNext ? [{ ...options.failNext }] : [];
  const cert = await createLoopbackCert();

  const handler = (scheme: PublishRequest['scheme']) => (req: IncomingMessage, res: ServerResponse) => {
    const request: PublishRequest = { scheme, status: 0, bytes: 0 };
    requests.push(request);
    receive(req, request)
      .then(() => {
        request.status = 200;
        res.writeHead(200).end();
      })
      .catch((error: unknown) => {
        const reply =
          error instanceof TopicReply ? error : new TopicReply(500, 'InternalServerError', String(error));
        request.status = reply.status;
        rejections.push({ status: reply.status, code: reply.code, message: reply.message });
        res
          .writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers })
          .end(JSON.stringify({ error: { code: reply.code, message: reply.message } }));
      });
  };
  const server: Server = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, handler('https'));
  const plainServer: Server = createHttpServer(handler('http'));

  async function receive(req: IncomingMessage, request: PublishRequest): Promise<void> {
    const body = await readBody(req, request);
    if (request.scheme === 'http') {
      throw new TopicReply(
        403,
        'Forbidden',
        'Event Grid topics accept publishes over HTTPS only; a key or token sent over plain HTTP is refused',
      );
    }
    const url = new URL(req.url ?? '/', 'https://localhost');
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
    if (request.bytes > MAX_REQUEST_BYTES) {
      throw new TopicReply(413, 'RequestEntityTooLarge', 'the request exceeds the 1 MB publish limit');
    }
    let batch: unknown;
    try {
      batch = JSON.parse(body.toString('utf8'));
    } catch {
      throw new TopicReply(400, 'BadRequest', 'the body is not JSON');
    }
    if (!Array.isArray(batch))
      throw new TopicReply(400, 'BadRequest', 'a CloudEvents batch must be a JSON array');
    request.events = batch.length;
    if (batch.length === 0) throw new TopicReply(400, 'BadRequest', 'the batch holds no events');
    const checked = batch.map(checkCloudEvent);
    const failure = failures.find((candidate) => candidate.times > 0);
    if (failure) {
      failure.times -= 1;
      throw new TopicReply(
        failure.status,
        INJECTED_CODES[failure.status] ?? 'InternalServerError',
        `the topic answered ${failure.status} (injected)`,
        failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) },
      );
    }
    events.push(...checked);
  }

  /** Reads the whole body (so an answer is never cut short by an unread upload), keeping at most the limit. */
  async function readBody(req: IncomingMessage, request: PublishRequest): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      request.bytes += (chunk as Buffer).length;
      if (request.bytes > DRAIN_LIMIT_BYTES) {
        throw new TopicReply(413, 'RequestEntityTooLarge', 'the request exceeds the 1 MB publish limit');
      }
      if (request.bytes <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
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

  const listen = (s: Server) =>
    new Promise<number>((resolve) =>
      s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)),
    );
  const [port, plainPort] = await Promise.all([listen(server), listen(plainServer)]);
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    endpoint: `https://127.0.0.1:${port}/api/events`,
    ca: cert.certPem,
    plainHttpEndpoint: `http://127.0.0.1:${plainPort}/api/events`,
    events,
    rejections,
    requests,
    failNext(failure) {
      failures.push({ ...failure });
    },
    stop: async () => {
      await Promise.all([close(server), close(plainServer)]);
    },
  };
}
