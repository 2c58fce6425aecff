// The built console page (one HTML file with its script and style inlined, and the headers that go with
// it), read once by a host and answered as it is. Built by infra/build-console.ts (`npm run build`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiResponse } from '../api/exchange.js';

export interface ConsolePage {
  readonly html: string;
  /** The Content-Security-Policy computed at build time from the inlined script and style. */
  readonly contentSecurityPolicy: string;
}

/** The page from the first of `dirs` that holds a build, or undefined when none does. */
export async function loadConsolePage(dirs: readonly string[]): Promise<ConsolePage | undefined> {
  for (const dir of dirs) {
    let html: string;
    let headers: unknown;
    try {
      html = await readFile(join(dir, 'index.html'), 'utf8');
      headers = JSON.parse(await readFile(join(dir, 'headers.json'), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`console build in ${dir} cannot be read: ${(error as Error).message}`);
    }
    const policy = (headers as Record<string, unknown>)?.['content-security-policy'];
    if (typeof policy !== 'string')
      throw new Error(`console build in ${dir}: headers.json has no content-security-policy`);
    return { html, contentSecurityPolicy: policy };
  }
  return undefined;
}

/** The answer to `GET /` (local) or `GET /api/console` (Azure): the page, or a 503 saying how to build it. */
export function consoleResponse(page: ConsolePage | undefined): ApiResponse {
  if (!page)
    return {
      status: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'the operator console is not built: run `npm run build`; the operator API is under /api\n',
    };
  return {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': page.contentSecurityPolicy,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-cache',
    },
    body: page.html,
  };
}
