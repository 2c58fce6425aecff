// apk's database, `lib/apk/db/installed`: one record per package, blank-line separated, each line a
// one-letter field (`P:` name, `V:` version, `A:` architecture, …), as apk writes it.
import type { InstalledPackage } from '../core/installed-packages.js';

export function parseApkInstalled(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let name: string | undefined;
  let version: string | undefined;
  let architecture: string | undefined;
  const flush = () => {
    if (name && version) packages.push({ name, version, ...(architecture && { architecture }) });
    name = version = architecture = undefined;
  };
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const value = line.slice(2);
    if (line[0] === 'P') name = value;
    else if (line[0] === 'V') version = value;
    else if (line[0] === 'A') architecture = value;
  }
  flush();
  return packages;
}
