// `basewatch diff`: reads both images' package inventories (shared layers once) and prints the changes.

import { parsePlatform } from '../../core/platform.js';
import { isDigest } from '../../core/reference.js';
import { diffImages } from '../../packages/diff-images.js';
import { DistributionClient } from '../../registry/distribution-client.js';
import { type OpenedStore, openStore } from '../../registry/open-store.js';
import { changesTable } from '../changes-view.js';
import { credentialsFrom } from './copy.js';

export interface DiffCommandOptions {
  platform: string[];
  config: string;
  json?: boolean;
}

export async function diff(from: string, to: string, options: DiffCommandOptions): Promise<void> {
  const platforms = usage(() => options.platform.map(parsePlatform));
  const client = new DistributionClient({ credentials: await credentialsFrom(options.config) });
  try {
    const [older, newer] = usage(() => openBoth(from, to, client));
    const changes = await diffImages(older, newer, { platforms });
    if (options.json) process.stdout.write(`${JSON.stringify(changes, null, 2)}\n`);
    else process.stdout.write(changesTable(older.display, newer.display, changes));
  } finally {
    await client.http.close();
  }
}

/** Opens both sides; a bare digest is looked up where the other side lives. */
function openBoth(from: string, to: string, client: DistributionClient): [OpenedStore, OpenedStore] {
  if (isDigest(from) && isDigest(to))
    throw new Error(
      `'${from}' and '${to}' are both bare digests: name the image of at least one (host/repo@sha256:…)`,
    );
  if (isDigest(from)) {
    const newer = openStore(to, { client });
    return [beside(newer, from), newer];
  }
  const older = openStore(from, { client });
  return [older, isDigest(to) ? beside(older, to) : openStore(to, { client })];
}

function beside(other: OpenedStore, digest: string): OpenedStore {
  const { tag: _tag, ...repository } = other.ref;
  const display = `${other.display.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/@]+$/, '')}@${digest}`;
  return { store: other.store, ref: { ...repository, digest }, display };
}

/** Bad input is a usage error (exit 2), not a failed diff. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw Object.assign(error as Error, { exitCode: 2 });
  }
}
