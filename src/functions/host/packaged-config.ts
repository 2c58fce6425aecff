// The config packaged with the Function App (app setting BASEWATCH_CONFIG). Light on purpose: the timer's
// registration reads its schedule before anything else of the host is loaded.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Environment, readAppSetting } from '../../azure/app-settings.js';
import { parseConfig } from '../../config/load.js';
import type { BasewatchConfig } from '../../config/types.js';

/** The deployed app's root: the nearest folder above this module that holds host.json. */
export const APP_ROOT = findAppRoot(dirname(fileURLToPath(import.meta.url)));

function findAppRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/** Read at registration (the timer's schedule comes from it); a bad config stops the app from starting. */
export function loadPackagedConfig(env: Environment = process.env): BasewatchConfig {
  const file = resolve(APP_ROOT, readAppSetting('BASEWATCH_CONFIG', env) ?? 'basewatch.yaml');
  return parseConfig(readFileSync(file, 'utf8'), file);
}
