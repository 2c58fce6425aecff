// `basewatch copy`: the copy itself, loaded only when the command runs.
import { access } from 'node:fs/promises';
import { DEFAULT_CONFIG_FILE } from '../../config/defaults.js';
import { resolveSecret, resolveValue } from '../../config/secret.js';
import { type Platform, parsePlatform } from '../../core/platform.js';
import type { CredentialSource } from '../../registry/auth.js';
import { copyImage } from '../../registry/copy.js';
import { DistributionClient } from '../../registry/distribution-client.js';
import { type OpenedStore, openStore } from '../../registry/open-store.js';
import { formatBytes, progressView } from '../progress-view.js';

export interface CopyCommandOptions {
  platform: string[];
  config: string;
  json?: boolean;
}

export async function copy(src: string, dst: string, options: CopyCommandOptions): Promise<void> {
  const platforms = usage(() => options.platform.map(parsePlatform));
  const client = new DistributionClient({ credentials: await credentialsFrom(options.config) });
  const source = usage(() => openStore(src, { client }));
  const target = usage(() => openStore(dst, { client }));
  const view = progressView(process.stderr, process.stderr.isTTY === true);
  try {
    const result = await copyImage(source, target, { platforms, onProgress: view.onProgress });
    view.finish();
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ source: source.display, target: target.display, ...result }, null, 2)}\n`,
      );
    } else {
      process.stdout.write(summary(source, target, result, platforms));
    }
  } finally {
    await client.http.close();
  }
}

function summary(
  source: OpenedStore,
  target: OpenedStore,
  result: Awaited<ReturnType<typeof copyImage>>,
  platforms: readonly Platform[],
): string {
  if (result.unchanged) return `${target.display} already is ${result.digest}: nothing to copy\n`;
  const { copied, mounted, present } = result.blobs;
  const lines = [
    `copied ${source.display} → ${target.display}`,
    `digest ${result.digest}`,
    `${result.manifests} manifest(s); blobs: ${copied} copied (${formatBytes(result.bytesCopied)}), ${mounted} mounted, ${present} already there`,
  ];
  if (result.filtered) {
    lines.push(
      `note: --platform ${platforms.map((p) => [p.os, p.architecture, p.variant].filter(Boolean).join('/')).join(', ')} wrote a filtered index; its digest differs from upstream's ${result.sourceDigest}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Bad input is a usage error (exit 2), not a failed copy. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw Object.assign(error as Error, { exitCode: 2 });
  }
}

/** Registry credentials from the config file's `credentials` section, when there is a config file. */
export async function credentialsFrom(file: string): Promise<CredentialSource | undefined> {
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (!exists) {
    if (file !== DEFAULT_CONFIG_FILE)
      throw Object.assign(new Error(`config file ${file} not found`), { exitCode: 2 });
    return undefined;
  }
  // Loaded only when there is a config to read: the schema and YAML parser are a third of a copy's start-up.
  const { loadConfig } = await import('../../config/load.js');
  const config = await loadConfig(file);
  return (registry) => {
    const entry = config.credentials[registry];
    if (!entry) return undefined;
    return {
      username: resolveValue(entry.username, process.env, `username for ${registry}`),
      password: resolveSecret(entry.password, process.env, `password for ${registry}`),
    };
  };
}
