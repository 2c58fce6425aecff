// os-release(5): shell-style `KEY=value` lines; values may be quoted with " or ' and escaped with \.
import type { OsRelease } from '../core/installed-packages.js';

export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) values.set(match[1] as string, unquote(match[2] as string));
  }
  const id = values.get('ID');
  const versionId = values.get('VERSION_ID');
  const prettyName = values.get('PRETTY_NAME');
  return {
    ...(id !== undefined && { id }),
    ...(versionId !== undefined && { versionId }),
    ...(prettyName !== undefined && { prettyName }),
  };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\`$])/g, '$1') : inner;
  }
  return value;
}
