// A front for a real server (a CNCF Distribution registry, a token server) under another name, over
// HTTP or HTTPS: it forwards every request, points the registry's own URLs (realm, Location) wherever
// the test says, records what reached it, and lets a test answer some requests itself.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { type HostileServer, type HostileServerOptions, startHostileServer } from './hostile-server.js';

export interface HostileFrontOptions extends HostileServerOptions {
  /** Origins in WWW-Authenticate and Location to replace (the target's own origin → the front's is implied). */
  rewriteOrigins?: Record<string, string>;
  /** Answers a request itself when it returns true (a doctored tag list, say). */
  override?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export async function startHostileFront(
  targetUrl: string,
  options: HostileFrontOptions = {},
): Promise<HostileServer> {
  const target = new URL(targetUrl);
  const rewrites: [string, string][] = [];
  const server = await startHostileServer((req, res) => {
    if (options.override?.(req, res)) return;
    const upstream = request({
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.on('response', (answer) => {
      const headers = { ...answer.headers };
      for (const [from, to] of rewrites) {
        if (typeof headers.location === 'string' && headers.location.startsWith(from))
          headers.location = to + headers.location.slice(from.length);
        if (typeof headers['www-authenticate'] === 'string')
          headers['www-authenticate'] = headers['www-authenticate'].replaceAll(`"${from}`, `"${to}`);
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  }, options);
  rewrites.push([target.origin, server.url], ...Object.entries(options.rewriteOrigins ?? {}));
  return server;
}
