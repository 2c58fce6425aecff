// From basewatch.yaml as written to the config the service uses: keys normalised, defaults merged.
import { buildGraph, DependencyCycleError } from '../core/graph.js';
import { parsePrivateReference, privateImageKey } from '../core/private-image.js';
import { formatReference, parseReference } from '../core/reference.js';
import { configEdges, configGraphApps } from './dependency-graph.js';
import type { FieldProblem } from './errors.js';
import { gateOf, gateProblems, type RawGate } from './gate.js';
import { privateRepository } from './private-repository.js';
import { parseRegistryLocation, registryHost } from './registry-location.js';
import { scheduleCoverageProblems } from './schedule-coverage.js';
import type { RawConfig } from './schema.js';
import type {
  AppConfig,
  BasewatchConfig,
  ImageDefaults,
  RebuildConfig,
  TrackedImageConfig,
} from './types.js';

/** Used where neither the entry nor `defaults` says otherwise. */
export const BUILT_IN_DEFAULTS: ImageDefaults = {
  schedule: '0 */10 * * * *',
  platforms: 'all',
  rateLimit: { minRemaining: 10 },
};

export function normaliseConfig(
  raw: RawConfig,
  file: string,
): { config: BasewatchConfig; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const location = parseRegistryLocation(raw.registry.url);
  const defaults: ImageDefaults = {
    schedule: raw.defaults?.schedule ?? BUILT_IN_DEFAULTS.schedule,
    platforms: raw.defaults?.platforms ?? BUILT_IN_DEFAULTS.platforms,
    rateLimit: raw.defaults?.rateLimit ?? BUILT_IN_DEFAULTS.rateLimit,
  };
  const images = normaliseImages(
    raw.images,
    { ...defaults, gate: raw.defaults?.gate },
    registryHost(location),
    problems,
  );
  problems.push(...gateProblems(images, raw.apps, raw.registry.acr !== undefined, registryHost(location)));
  for (const { image, message } of scheduleCoverageProblems(images, defaults.schedule)) {
    problems.push({ path: ['images', image, 'schedule'], message });
  }
  const apps = normaliseApps(raw.apps, images, registryHost(location), problems);
  const config: BasewatchConfig = {
    file,
    version: 1,
    registry: { url: raw.registry.url, location, ...(raw.registry.acr && { acr: raw.registry.acr }) },
    credentials: raw.credentials ?? {},
    defaults,
    images,
    apps,
    notifications: {
      ...(raw.notifications?.eventGrid && { eventGrid: raw.notifications.eventGrid }),
      webhooks: raw.notifications?.webhooks ?? [],
    },
    ...(raw.hooks && { hooks: { token: raw.hooks.token } }),
    ...(raw.history && { history: { keepDays: raw.history.keepDays } }),
  };
  if (problems.length === 0) problems.push(...cycleProblems(config));
  return { config, problems };
}

// Defaults merged into each entry, the entry's own setting winning; one target per entry.
function normaliseImages(
  entries: RawConfig['images'],
  defaults: ImageDefaults & { readonly gate?: RawGate },
  host: string | undefined,
  problems: FieldProblem[],
): TrackedImageConfig[] {
  const defaultGate = defaults.gate;
  const targets = new Map<string, number>();
  return entries.map((entry, i) => {
    const target = privateRepository(entry.target, host);
    if (typeof target !== 'string') problems.push({ path: ['images', i, 'target'], message: target.error });
    const targetName = typeof target === 'string' ? target : entry.target;
    const first = targets.get(targetName);
    if (first !== undefined) {
      problems.push({
        path: ['images', i, 'target'],
        message: `target ${targetName} is already used by images[${first}]`,
      });
    } else {
      targets.set(targetName, i);
    }
    return {
      source: formatReference(parseReference(entry.source, { defaultTag: false })),
      target: targetName,
      selection: entry.tags !== undefined ? { tags: entry.tags } : { tagPolicy: entry.tagPolicy ?? {} },
      schedule: entry.schedule ?? defaults.schedule,
      platforms: entry.platforms ?? defaults.platforms,
      rateLimit: entry.rateLimit ?? defaults.rateLimit,
      referrers: entry.referrers ?? 'all',
      ...gateOf(entry.gate, defaultGate, targetName, host, i, problems),
    };
  });
}

// Names and images unique; an app's image lives in the private registry, outside the copies' repositories.
function normaliseApps(
  entries: RawConfig['apps'],
  images: readonly TrackedImageConfig[],
  host: string | undefined,
  problems: FieldProblem[],
): AppConfig[] {
  const names = new Map<string, number>();
  const appImages = new Map<string, number>();
  return entries.map((entry, i) => {
    const ref = parsePrivateReference(entry.image, host);
    const firstName = names.get(entry.name);
    if (firstName !== undefined) {
      problems.push({
        path: ['apps', i, 'name'],
        message: `app name ${entry.name} is already used by apps[${firstName}]`,
      });
    } else {
      names.set(entry.name, i);
    }
    const firstImage = appImages.get(ref.key);
    const copy = images.findIndex((image) => image.target === ref.repository);
    if (ref.registry !== undefined) {
      problems.push({
        path: ['apps', i, 'image'],
        message: `'${entry.image}' names registry ${ref.registry}; expected an image in the private registry`,
      });
    } else if (firstImage !== undefined) {
      problems.push({
        path: ['apps', i, 'image'],
        message: `image ${ref.key} is already built by apps[${firstImage}]`,
      });
    } else if (copy >= 0) {
      problems.push({
        path: ['apps', i, 'image'],
        message: `${ref.repository} holds the private copy of images[${copy}]; an app must push to its own repository`,
      });
    }
    appImages.set(ref.key, firstImage ?? i);
    return {
      name: entry.name,
      image: ref.key,
      team: entry.team,
      baseImages: [...new Set((entry.baseImages ?? []).map((base) => privateImageKey(base, host)))],
      rebuild: rebuildConfig(entry.rebuild),
    };
  });
}

function rebuildConfig(rebuild: RawConfig['apps'][number]['rebuild']): RebuildConfig {
  if (rebuild.acrTask !== undefined) return { kind: 'acrTask', task: rebuild.acrTask };
  if (rebuild.webhook !== undefined) return { kind: 'webhook', ...rebuild.webhook };
  return { kind: 'rebase' };
}

// A cycle among configured bases is a config error, placed at the first app of the cycle.
function cycleProblems(config: BasewatchConfig): FieldProblem[] {
  try {
    buildGraph({ apps: configGraphApps(config), edges: configEdges(config) });
    return [];
  } catch (error) {
    if (!(error instanceof DependencyCycleError)) throw error;
    const first = config.apps.findIndex((app) => app.name === error.cycle[0]);
    return [{ path: ['apps', first, 'baseImages'], message: error.message }];
  }
}
