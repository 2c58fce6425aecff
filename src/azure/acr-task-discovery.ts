// Dependencies learnt from ACR tasks: each Docker step's baseImageDependencies (filled in by ACR after
// the task has run once) say which bases the images it builds come FROM.
import type {
  BaseImageDependency,
  ContainerRegistryManagementClient,
  TaskStepPropertiesUnion,
} from '@azure/arm-containerregistry';
import type { BaseImageDiscovery, DiscoveredBase } from '../core/base-discovery.js';
import type { GraphApp } from '../core/graph.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { privateImageKey } from '../core/private-image.js';
import type { AcrRegistry } from './acr-client.js';
import { armOperationError } from './arm-errors.js';

export type BaseImageKind = 'BuildTime' | 'RunTime';

/** `appImage` is built FROM `baseImage`, as an ACR task reports it. */
export interface TaskBaseImageEdge {
  /** As the task's step names it, relative to the registry, e.g. `apps/orders-api:1`. */
  readonly appImage: string;
  /** Fully qualified, e.g. `myregistry.azurecr.io/base/node:20-alpine` or `docker.io/library/node:20`. */
  readonly baseImage: string;
  readonly kind: BaseImageKind;
  /** The task that builds `appImage`. */
  readonly task: string;
}

export interface TaskDiscoveryOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  readonly logger?: Logger;
}

// ACR names Docker Hub by its old hosts; the rest of basewatch says docker.io.
const DOCKER_HUB_ALIASES = new Set(['registry.hub.docker.com', 'index.docker.io', 'registry-1.docker.io']);

/** Every edge the registry's tasks know: tasks.list, then tasks.getDetails for each task. */
export async function listTaskBaseImageEdges(options: TaskDiscoveryOptions): Promise<TaskBaseImageEdge[]> {
  const { client, registry } = options;
  const logger = options.logger ?? silentLogger;
  const edges: TaskBaseImageEdge[] = [];
  try {
    for await (const task of client.tasks.list(registry.resourceGroup, registry.name)) {
      if (!task.name) continue;
      const details = await client.tasks.getDetails(registry.resourceGroup, registry.name, task.name);
      const found = stepEdges(task.name, details.step);
      if (found.length === 0) logger.debug('ACR task reports no base images', { task: task.name });
      edges.push(...found);
    }
  } catch (error) {
    throw armOperationError(`list the base images of the tasks of ACR registry ${registry.name}`, error);
  }
  return edges;
}

/** The edges of one task step; only Docker steps report base images. */
export function stepEdges(task: string, step: TaskStepPropertiesUnion | undefined): TaskBaseImageEdge[] {
  if (step?.type !== 'Docker' || !('imageNames' in step)) return [];
  // A templated name (`app:{{.Run.ID}}`) changes every run, so it names no graph node.
  const appImages = (step.imageNames ?? []).filter((image) => !image.includes('{{'));
  const bases = (step.baseImageDependencies ?? []).flatMap((dependency) => {
    const baseImage = dependencyReference(dependency);
    const kind: BaseImageKind = dependency.type === 'RunTime' ? 'RunTime' : 'BuildTime';
    return baseImage === undefined ? [] : [{ baseImage, kind }];
  });
  return appImages.flatMap((appImage) => bases.map((base) => ({ appImage, task, ...base })));
}

function dependencyReference(dependency: BaseImageDependency): string | undefined {
  if (!dependency.registry || !dependency.repository) return undefined;
  const registry = DOCKER_HUB_ALIASES.has(dependency.registry) ? 'docker.io' : dependency.registry;
  const selector = dependency.tag ? `:${dependency.tag}` : dependency.digest ? `@${dependency.digest}` : '';
  return `${registry}/${dependency.repository}${selector}`;
}

/** The BaseImageDiscovery port over ACR tasks: bases of the apps whose image some task builds. */
export class AcrTaskBaseDiscovery implements BaseImageDiscovery {
  constructor(private readonly options: TaskDiscoveryOptions & { readonly loginServer: string }) {}

  async discoverBases(apps: readonly GraphApp[]): Promise<DiscoveredBase[]> {
    const edges = await listTaskBaseImageEdges(this.options);
    const appByImage = new Map(apps.map((app) => [app.image, app.name]));
    const discovered: DiscoveredBase[] = [];
    for (const edge of edges) {
      const app = appByImage.get(privateImageKey(edge.appImage, this.options.loginServer));
      if (app !== undefined) discovered.push({ app, base: edge.baseImage, source: 'acr-task' });
    }
    return discovered;
  }
}
