// The Function App package carries the console where src/functions/operatorApi.ts reads it (console/ beside
// the bundle), built from the same sources as the local host's, with the policy that allows its script.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackagedApp, packageApp } from '../../infra/package-app.js';
import { loadConsolePage } from '../../src/web/console-page.js';

const root = resolve(import.meta.dirname, '../..');
let packaged: PackagedApp;

beforeAll(async () => {
  packaged = await packageApp(root, mkdtempSync(join(tmpdir(), 'basewatch-package-')));
}, 120_000);
afterAll(() => rmSync(packaged.dir, { recursive: true, force: true }));

describe('the console in the Function App package', () => {
  it('is one page whose inline script and style are exactly what its policy allows', async () => {
    const page = await loadConsolePage([join(packaged.dir, 'console')]);
    expect(page).toBeDefined();
    const html = readFileSync(join(packaged.dir, 'console', 'index.html'), 'utf8');
    const script = /<script type="module">([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(script.length).toBeGreaterThan(1000);
    expect(page?.contentSecurityPolicy).toContain(`script-src ${hash(script)}`);
    expect(page?.contentSecurityPolicy).toContain(`style-src ${hash(style)}`);
    // Nothing is fetched from elsewhere: no external script, style or font reference in the page.
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
});
