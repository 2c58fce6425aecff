// The Durable Functions extension's HTTP API (the `rpcBaseUrl` routes the durable client calls), served over
// the local engine so the client's requests get real answers: start, status, query, terminate, purge.
// Shapes follow the documented HTTP API: 202 `{id}` on start, 404 for an unknown instance, `input` and
// `output` always present (null when empty), runtimeStatus filters as comma-separated names.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrchestrationStatus, RuntimeStatus } from '../../../src/core/orchestrations.js';
import type { LocalDurableEngine } from '../../../src/local/durable/engine.js';

export interface DurableExtension {
  /** For the client input binding's `rpcBaseUrl`. */
  readonly rpcBaseUrl: string;
  readonly requests: { method: string; path: string; query: string; continuation?: string }[];
  stop(): Promise<void>;
}

export async function startDurableExtension(engine: LocalDurableEngine): Promise<DurableExtension> {
  const requests: DurableExtension['requests'] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const continuation = req.headers['x-ms-continuation-token'] as string | undefined;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.search,
      ...(continuation !== undefined && { continuation }),
    });
    answer(engine, req, url)
      .then(({ status, body, headers }) => {
        res
          .writeHead(status, { 'content-type': 'application/json', ...headers })
          .end(body === undefined ? '' : JSON.stringify(body));
      })
      .catch((error: unknown) =>
        res.writeHead(500).end(JSON.stringify({ message: (error as Error).message })),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    rpcBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/durabletask/`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function answer(
  engine: LocalDurableEngine,
  req: IncomingMessage,
  url: URL,
): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
  const parts = url.pathname
    .replace(/^\/durabletask\//, '')
    .split('/')
    .map(decodeURIComponent);
  if (req.method === 'POST' && parts[0] === 'orchestrators' && parts[1]) {
    const text = await readBody(req);
    const id = await engine.start(parts[1], {
      ...(parts[2] && { instanceId: parts[2] }),
      ...(text !== '' && { input: JSON.parse(text) }),
    });
    return { status: 202, body: { id } };
  }
  if (parts[0] !== 'instances') return { status: 404, body: { message: `no route ${url.pathname}` } };
  const id = parts[1] ?? '';
  if (req.method === 'GET' && id === '') {
    const statuses = url.searchParams.get('runtimeStatus')?.split(',') as RuntimeStatus[] | undefined;
    const from = url.searchParams.get('createdTimeFrom');
    const to = url.searchParams.get('createdTimeTo');
    const list = (
      await engine.list({
        ...(statuses && { runtimeStatus: statuses }),
        ...(from && { createdFrom: new Date(from) }),
      })
    ).filter((status) => !to || Date.parse(status.createdTime) < Date.parse(to));
    // `top` pages by instance id, as the Azure Storage provider orders its Instances table; the token is opaque.
    const top = url.searchParams.get('top');
    if (top === null) return { status: 200, body: list.map((status) => wire(status)) };
    const byId = list.sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const token = req.headers['x-ms-continuation-token'] as string | undefined;
    const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString());
    const end = start + Number(top);
    return {
      status: 200,
      body: byId.slice(start, end).map((status) => wire(status)),
      ...(end < byId.length && {
        headers: { 'x-ms-continuation-token': Buffer.from(String(end)).toString('base64url') },
      }),
    };
  }
  if (req.method === 'DELETE' && id === '') {
    const statuses = url.searchParams.get('runtimeStatus')?.split(',') as RuntimeStatus[] | undefined;
    const from = Date.parse(url.searchParams.get('createdTimeFrom') ?? '');
    const to = Date.parse(url.searchParams.get('createdTimeTo') ?? '');
    const doomed = (await engine.list(statuses ? { runtimeStatus: statuses } : {})).filter((status) => {
      const created = Date.parse(status.createdTime);
      return (Number.isNaN(from) || created >= from) && (Number.isNaN(to) || created <= to);
    });
    for (const status of doomed) await engine.purge(status.instanceId);
    return doomed.length > 0 ? { status: 200, body: { instancesDeleted: doomed.length } } : { status: 404 };
  }
  if (req.method === 'GET') {
    const status = await engine.getStatus(id, {
      showHistory: url.searchParams.get('showHistory') === 'true',
      showInput: url.searchParams.get('showInput') !== 'false',
    });
    return status
      ? { status: 200, body: wire(status) }
      : { status: 404, body: { message: `instance ${id} not found` } };
  }
  if (req.method === 'POST' && parts[2] === 'terminate') {
    if (!(await engine.getStatus(id))) return { status: 404 };
    await engine.terminate(id, url.searchParams.get('reason') ?? '');
    return { status: 202 };
  }
  if (req.method === 'DELETE') {
    const existed = (await engine.getStatus(id)) !== undefined;
    await engine.purge(id);
    return existed ? { status: 200, body: { instancesDeleted: 1 } } : { status: 404 };
  }
  return { status: 405 };
}

/** The extension's status JSON: history rows PascalCase with EventType names, as the durable client reads them. */
function wire(status: OrchestrationStatus): Record<string, unknown> {
  return {
    name: status.name,
    instanceId: status.instanceId,
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
    input: status.input ?? null,
    output: status.output ?? null,
    runtimeStatus: status.runtimeStatus,
    customStatus: status.customStatus ?? null,
    ...(status.history && {
      history: status.history.map((entry) => ({
        EventType: entry.eventType,
        Timestamp: entry.timestamp,
        ...(entry.name !== undefined && { FunctionName: entry.name }),
        ...(entry.result !== undefined && { Result: entry.result }),
        ...(entry.failure !== undefined && { Reason: entry.failure }),
      })),
    }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
