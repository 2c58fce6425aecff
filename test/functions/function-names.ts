import { Activity, Orchestration } from '../../src/workflows/names.js';

/** Every function the app registers with the Functions host: its four triggers and the app manifest. */
export const ALL_FUNCTION_NAMES: readonly string[] = [
  'pollUpstream',
  'onRegistryEvent',
  'registryHooks',
  'operatorApi',
  ...Object.values(Orchestration),
  ...Object.values(Activity),
].sort();
