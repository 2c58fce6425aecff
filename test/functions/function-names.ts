import { Activity, Orchestration } from '../../src/workflows/names.js';

/** Every function the app registers with the Functions host: its five triggers and the app manifest. */
export const ALL_FUNCTION_NAMES: readonly string[] = [
  'pollUpstream',
  'purgeHistory',
  'onRegistryEvent',
  'registryHooks',
  'operatorApi',
  ...Object.values(Orchestration),
  ...Object.values(Activity),
].sort();
