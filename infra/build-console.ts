// The operator console, built by `npm run build`: src/web/app bundled by esbuild and inlined, with the
// stylesheet, into one HTML page (so it needs no asset route and no function key on a second request),
// plus the Content-Security-Policy that allows exactly that script and style by hash.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** Where `npm run build` writes the console, relative to the repository root; the local host reads it. */
export const CONSOLE_DIR = 'dist/console';
export const CONSOLE_PAGE = 'index.html';
export const CONSOLE_HEADERS = 'headers.json';

const SCRIPT_MARK = '/*console-script*/';
const STYLE_MARK = '/*console-style*/';

/** Builds the console from the repository at `root` into `out` (relative to `root` or absolute). */
export async function buildConsole(root: string, out: string = CONSOLE_DIR): Promise<string> {
  const dir = resolve(root, out);
  const bundled = await build({
    entryPoints: [join(root, 'src/web/app/main.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const script = bundled.outputFiles[0]?.text.trim() ?? '';
  const style = readFileSync(join(root, 'src/web/console.css'), 'utf8').trim();
  // Inlined text must not close its own element early.
  if (/<\/script/i.test(script) || /<\/style/i.test(style))
    throw new Error('the console script or style contains a closing tag; it cannot be inlined');
  const template = readFileSync(join(root, 'src/web/index.html'), 'utf8');
  if (!template.includes(SCRIPT_MARK) || !template.includes(STYLE_MARK))
    throw new Error(`src/web/index.html lacks ${SCRIPT_MARK} or ${STYLE_MARK}`);
  const html = template.replace(STYLE_MARK, () => style).replace(SCRIPT_MARK, () => script);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CONSOLE_PAGE), html);
  writeFileSync(
    join(dir, CONSOLE_HEADERS),
    `${JSON.stringify({ 'content-security-policy': contentSecurityPolicy(script, style) }, null, 2)}\n`,
  );
  return dir;
}

/** Only the inlined script and style run; requests go to the page's own origin; no page may frame it. */
export function contentSecurityPolicy(script: string, style: string): string {
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  return [
    "default-src 'none'",
    `script-src ${hash(script)}`,
    `style-src ${hash(style)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
