// Purging old runs from the console, and a page on another origin that tries to make the console's host
// act: the browser keeps its requests from being read or sent with JSON, and the host refuses the rest.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import {
  buildConsoleInto,
  type ConsoleHost,
  confirmDialog,
  launchChromium,
  startConsoleHost,
  startFailedRuns,
  startHangingRebuild,
} from './console-harness.js';

const YAML = `version: 1
registry: { url: "oci-layout:./mirror" }
images:
  - { source: docker.io/library/node, tags: ["22"], target: base/node }
`;

let browser: Browser;
let ci: WebhookReceiver;
let work: string;
let consoleDir: string;
const hosts: ConsoleHost[] = [];
const servers: Server[] = [];

/** A host of the test's own: a purge reaches every run of its engine. */
async function ownHost(): Promise<ConsoleHost> {
  const host = await startConsoleHost({ yaml: YAML, consoleDir });
  hosts.push(host);
  return host;
}

/** Another origin: a server on another port that serves `html` at `/`. */
async function otherOrigin(html: string): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A POST as a forger's page sends it, without a browser: JSON, with the forger's Origin. */
function forgedPost(host: ConsoleHost, path: string, origin: string, body: string): Promise<number> {
  const url = new URL(host.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path,
        headers: { origin, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'basewatch-web-'));
  [browser, ci, consoleDir] = await Promise.all([
    launchChromium(),
    startWebhookReceiver(),
    buildConsoleInto(work),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const host of hosts) await host.stop();
  for (const server of servers) server.close();
  await ci?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('purging runs from the console', () => {
  it('deletes the finished runs created before the chosen day, once confirmed; a running run stays', async () => {
    const host = await ownHost();
    const failed = await startFailedRuns(host, `old-${randomUUID().slice(0, 8)}`, 3);
    const running = await startHangingRebuild(host, ci, `keep-${randomUUID().slice(0, 8)}`);
    const page = await browser.newPage();
    await page.goto(`${host.url}/#/runs`);
    await page.locator('tbody tr').first().waitFor();
    expect(await page.locator('tbody tr').count()).toBe(4);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Finished runs created before (UTC)').fill(tomorrow);
    await page.getByRole('button', { name: 'Purge', exact: true }).click();
    await confirmDialog(page, new RegExp(`created before ${tomorrow} \\(UTC\\)\\? This cannot be undone`));
    await expect.poll(() => page.locator('#notice').textContent()).toBe('Purge runs: purged 3 runs');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').getAttribute('data-instance')).toBe(running);
    for (const id of failed) expect(await host.host.engine.getStatus(id)).toBeUndefined();
    expect((await host.host.engine.getStatus(running))?.runtimeStatus).toBe('Running');
    await page.close();
  });
});

describe('a page on another origin', () => {
  it('cannot make the host sync, terminate or purge, nor frame the console', async () => {
    const host = await ownHost();
    const failed = await startFailedRuns(host, `target-${randomUUID().slice(0, 8)}`, 2);
    const running = await startHangingRebuild(host, ci, `victim-${randomUUID().slice(0, 8)}`);
    const before = (await host.host.engine.listPage({ pageSize: 100 })).runs
      .map((run) => run.instanceId)
      .sort();
    const target = host.url;
    const evil = await otherOrigin(`<!doctype html><title>evil</title>
<iframe id="framed" src="${target}/"></iframe>
<form id="form" method="POST" action="${target}/api/sync" target="sink"><input name="image" value="x"></form>
<iframe name="sink"></iframe>
<script>
window.results = [];
const tries = [
  ['/api/sync', '{}'],
  ['/api/runs/${encodeURIComponent(running)}/terminate', '{}'],
  ['/api/runs/purge', '{"olderThan":"1d"}'],
];
window.done = (async () => {
  for (const [path, body] of tries) {
    try {
      const response = await fetch('${target}' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      window.results.push(path + ' read ' + response.status);
    } catch (error) {
      window.results.push(path + ' blocked');
    }
    await fetch('${target}' + path, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body });
  }
  document.getElementById('form').submit();
})();
</script>`);
    const page = await browser.newPage();
    await page.goto(evil);
    await page.evaluate('window.done');
    // The JSON requests need a CORS preflight, which the host never allows: the browser sends none of them.
    expect(await page.evaluate('window.results')).toEqual([
      '/api/sync blocked',
      `/api/runs/${encodeURIComponent(running)}/terminate blocked`,
      '/api/runs/purge blocked',
    ]);
    // The console did not load in the frame (frame-ancestors 'none', X-Frame-Options: DENY).
    await page.waitForTimeout(500);
    const framed = page.frames().find((frame) => frame.parentFrame() !== null && frame.name() !== 'sink');
    expect(await framed?.locator('#main').count()).toBe(0);
    // What did reach the host (no-cors text, the form) changed nothing.
    await page.waitForTimeout(500);
    const after = (await host.host.engine.listPage({ pageSize: 100 })).runs
      .map((run) => run.instanceId)
      .sort();
    expect(after).toEqual(before);
    expect((await host.host.engine.getStatus(running))?.runtimeStatus).toBe('Running');
    for (const id of failed) expect((await host.host.engine.getStatus(id))?.runtimeStatus).toBe('Failed');
    await page.close();
  });

  it('the host refuses the same actions sent with JSON from another origin without a browser (403)', async () => {
    const host = await ownHost();
    const running = await startHangingRebuild(host, ci, `victim-${randomUUID().slice(0, 8)}`);
    const origin = 'http://127.0.0.1:1';
    const id = encodeURIComponent(running);
    expect(await forgedPost(host, '/api/sync', origin, '{}')).toBe(403);
    expect(await forgedPost(host, `/api/runs/${id}/terminate`, origin, '{}')).toBe(403);
    expect(await forgedPost(host, `/api/runs/${id}/rerun`, origin, '{}')).toBe(403);
    expect(await forgedPost(host, '/api/runs/purge', origin, '{"olderThan":"1d"}')).toBe(403);
    expect((await host.host.engine.listPage({ pageSize: 100 })).runs.map((run) => run.instanceId)).toEqual([
      running,
    ]);
    expect((await host.host.engine.getStatus(running))?.runtimeStatus).toBe('Running');
  });
});
