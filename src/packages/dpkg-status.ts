// dpkg's database: `var/lib/dpkg/status` (and distroless `var/lib/dpkg/status.d/<pkg>`), RFC 822-style
// stanzas separated by blank lines. Only packages whose Status ends in `installed` are installed;
// distroless files carry no Status and hold only installed packages.
import type { InstalledPackage } from '../core/installed-packages.js';

export function parseDpkgStatus(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  for (const stanza of text.split(/\r?\n[ \t]*\r?\n/)) {
    const fields = stanzaFields(stanza);
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version) continue;
    const status = fields.get('status');
    if (status !== undefined && status.split(/\s+/).at(-1) !== 'installed') continue;
    const architecture = fields.get('architecture');
    packages.push({ name, version, ...(architecture && { architecture }) });
  }
  return packages;
}

/** The stanza's single-line field values by lower-case name; continuation lines are not needed here. */
function stanzaFields(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of stanza.split(/\r?\n/)) {
    if (line === '' || line.startsWith(' ') || line.startsWith('\t')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  return fields;
}
