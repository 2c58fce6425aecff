import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendBody } from './fault-body.js';
import { type ActiveRule, describeFault, type FaultRule, fabricatedAnswer, takeRule } from './fault-rules.js';

export type { FaultRule } from './fault-rules.js';

/** One request that reached the proxy. */
export interface ProxyHit {
  method: string;
  /** Path and query, as sent to the proxy. */
  path: string;
  /** What the matching rule did, e.g. `status 429`, `reset`; absent when passed through untouched. */
  fault?: string;
  /** Status sent to the client; absent for reset and stall, and until the answer starts. */
  status?: number;
}

export interface InjectedFault {
  /** How many requests this rule has hit so far. */
  used(): number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  inject(rule: FaultRule): InjectedFault;
  /** Removes every rule (hits are kept). */
  clear(): void;
  hits(): ProxyHit[];
  clearHits(): void;
  /** Closes the server and destroys every connection, stalled ones included. */
  stop(): Promise<void>;
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
];

export interface FaultProxyOptions {
  /**
   * Origins to rewrite in Location and WWW-Authenticate headers besides the target's own (which
   * always becomes the proxy's), e.g. a token realm → a second proxy in front of the token server.
   */
  rewriteOrigins?: Record<string, string>;
}

/** An HTTP proxy in front of `targetUrl` (a registry) that injects faults per rule. */
export async function startFaultProxy(
  targetUrl: string,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const rules: ActiveRule[] = [];
  const log: ProxyHit[] = [];
  const agent = new Agent({ keepAlive: true });
  const rewrites: [string, string][] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const rule = takeRule(rules, method, path);
    const hit: ProxyHit = { method, path, ...(rule ? { fault: describeFault(rule) } : {}) };
    log.push(hit);
    if (rule?.delayMs) setTimeout(() => act(req, res, rule, hit), rule.delayMs);
    else act(req, res, rule, hit);
  };

  const act = (
    req: IncomingMessage,
    res: ServerResponse,
    rule: FaultRule | undefined,
    hit: ProxyHit,
  ): void => {
    if (rule?.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    if (rule?.stall) {
      req.resume();
      return;
    }
    if (rule?.status !== undefined) {
      req.resume();
      const { headers, body } = fabricatedAnswer({ ...rule, status: rule.status });
      hit.status = rule.status;
      res.writeHead(rule.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    forwardRequest(req, res, rule ?? {}, hit);
  };

  const forwardRequest = (
    req: IncomingMessage,
    res: ServerResponse,
    rule: FaultRule,
    hit: ProxyHit,
  ): void => {
    const upstream = request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: {
        ...withoutHopByHop(req.headers, req.headers['transfer-encoding'] !== undefined),
        host: target.host,
      },
      agent,
    });
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else {
        hit.status = 502;
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`fault proxy: ${target.host} failed: ${error.message}`);
      }
    });
    upstream.on('response', (answer) => {
      hit.status = answer.statusCode ?? 502;
      res.writeHead(hit.status, responseHeaders(answer.headers, rule, rewrites));
      sendBody(answer, res, rule);
    });
    // A client that gives up (timeout, abort) must not leave the upstream request hanging.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  rewrites.push([target.origin, origin], ...Object.entries(options.rewriteOrigins ?? {}));
  return {
    url: origin,
    host: `127.0.0.1:${port}`,
    inject: (rule) => {
      const active: ActiveRule = { rule, remaining: rule.times ?? 1, used: 0 };
      rules.push(active);
      return { used: () => active.used };
    },
    clear: () => {
      rules.length = 0;
    },
    hits: () => log.map((hit) => ({ ...hit })),
    clearHits: () => {
      log.length = 0;
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

function withoutHopByHop(headers: IncomingHttpHeaders, keepTransferEncoding = false): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) {
    if (name === 'transfer-encoding' && keepTransferEncoding) continue;
    delete copy[name];
  }
  return copy;
}

/** The registry's headers with the rule's changes, Location pointed back at the proxy. */
function responseHeaders(
  headers: IncomingHttpHeaders,
  rule: FaultRule,
  rewrites: [string, string][],
): IncomingHttpHeaders {
  const copy = withoutHopByHop(headers);
  for (const [from, to] of rewrites) {
    if (copy.location?.startsWith(from)) copy.location = to + copy.location.slice(from.length);
    if (copy['www-authenticate'])
      copy['www-authenticate'] = copy['www-authenticate'].replaceAll(`"${from}`, `"${to}`);
  }
  for (const name of rule.dropHeaders ?? []) delete copy[name.toLowerCase()];
  for (const [name, value] of Object.entries(rule.headers ?? {})) copy[name.toLowerCase()] = value;
  return copy;
}
