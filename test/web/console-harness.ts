// The console under test: the real local host (embedded Azurite, the local engine, the HTTP routes) serving
// a console built into a temp dir, and headless Debian chromium driven by playwright-core.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildConsole } from '../../infra/build-console.js';
import { operatorApi } from '../../src/cli/operator-api.js';
import { jsonLogger } from '../../src/core/logger.js';
import { type LocalHost, startLocalHost } from '../../src/local/host.js';
import type { WorkflowTiming } from '../../src/workflows/types.js';
import { TEST_TIMING } from '../api/operator-harness.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Builds the console as `npm run build` does, into a temp dir the host is pointed at. */
export async function buildConsoleInto(dir: string): Promise<string> {
  return buildConsole(process.cwd(), join(dir, 'console'));
}

export interface ConsoleHost {
  readonly host: LocalHost;
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startConsoleHost(options: {
  readonly yaml: string;
  readonly consoleDir: string;
  readonly timing?: WorkflowTiming;
}): Promise<ConsoleHost> {
  const dir = await mkdtemp(join(tmpdir(), 'basewatch-console-'));
  const configFile = join(dir, 'basewatch.yaml');
  await writeFile(configFile, options.yaml);
  const host = await startLocalHost({
    configFile,
    dataDir: join(dir, 'data'),
    inMemory: true,
    port: 0,
    logger: jsonLogger('error', () => true),
    timing: options.timing ?? TEST_TIMING,
    env: {},
    api: operatorApi,
    consoleDir: options.consoleDir,
  });
  return {
    host,
    url: host.url as string,
    dir,
    stop: async () => {
      await host.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Collects what the page logs as errors (a CSP violation is one): a test asserts there are none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Confirms the dialog the console opens before an action, after checking what it says. */
export async function confirmDialog(page: Page, expectedText: RegExp): Promise<void> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ state: 'visible' });
  const text = await dialog.textContent();
  if (!expectedText.test(text ?? ''))
    throw new Error(`the confirmation says '${text}', expected ${expectedText}`);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
}

/** A rebuild that keeps running (its CI always says `running`), to be terminated or kept from a purge. */
export async function startHangingRebuild(
  host: ConsoleHost,
  ci: WebhookReceiver,
  name: string,
): Promise<string> {
  ci.reply(`/hang-${name}`, { runId: name, statusUrl: `${ci.url}/hang-${name}/status`, status: 'running' });
  ci.reply(`/hang-${name}/status`, { status: 'running' });
  const id = await host.host.engine.start('rebuildApp', {
    instanceId: name,
    input: {
      app: name,
      image: `apps/${name}:1`,
      team: 'platform',
      method: { webhook: { url: `${ci.url}/hang-${name}` } },
      base: 'base/node:22',
      baseDigest: `sha256:${'0'.repeat(64)}`,
      parentInstanceId: 'console-test',
      timing: { ...TEST_TIMING, pollTimeoutSeconds: 600, pollMaxSeconds: 0.5 },
    },
  });
  await waitForStatus(host, id, 'Running');
  return id;
}

export async function waitForStatus(host: ConsoleHost, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const run = await host.host.engine.getStatus(id);
    if (run?.runtimeStatus === status) return;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${run?.runtimeStatus}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs that fail at once (rebuildApp refuses an empty input), `count` of them under `prefix`. */
export async function startFailedRuns(host: ConsoleHost, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(await host.host.engine.start('rebuildApp', { instanceId: `${prefix}-${i}`, input: {} }));
  for (const id of ids) await host.host.engine.waitForCompletion(id, 10_000);
  return ids;
}
