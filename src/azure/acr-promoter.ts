// The Promoter on Azure: an ACR import from the registry into itself (source by resource id, pinned by
// digest) moves the tag server-side; the data plane then proves the tag points at the digest.
import type { ContainerRegistryManagementClient, ImportImageParameters } from '@azure/arm-containerregistry';
import { type Logger, silentLogger } from '../core/logger.js';
import { ImmutableTagError, type PromoteRequest, type Promoter } from '../core/promoter.js';
import type { ImageReference } from '../core/reference.js';
import type { DistributionClient } from '../registry/distribution-client.js';
import { type AcrRegistry, registryResourceId } from './acr-client.js';
import { runAcrImport, verifyImported } from './acr-import-operation.js';

export interface AcrPromoterOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** The registry's data-plane host, e.g. `myregistry.azurecr.io`. */
  readonly loginServer: string;
  /** Reads the registry's data plane; must be able to authenticate to `loginServer`. */
  readonly distribution: DistributionClient;
  /** How often to poll the import while ARM has not said how long to wait (default: the SDK's 2 s). */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
}

export class AcrPromoter implements Promoter {
  private readonly logger: Logger;

  constructor(private readonly options: AcrPromoterOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async promote(request: PromoteRequest): Promise<void> {
    const { from, to } = request;
    const target: ImageReference = {
      registry: this.options.loginServer,
      repository: to.repository,
      tag: to.tag,
    };
    const targetTag = `${to.repository}:${to.tag}`;
    if (request.immutable) {
      if (await this.holds(target, from.digest)) return;
    }
    const parameters: ImportImageParameters = {
      source: {
        resourceId: registryResourceId(this.options.registry),
        sourceImage: `${from.repository}@${from.digest}`,
      },
      targetTags: [targetTag],
      // NoForce: ACR refuses to overwrite a kept tag, so two promotions racing cannot both write it.
      mode: request.immutable ? 'NoForce' : 'Force',
    };
    const operation = `promote ${from.repository}@${from.digest} to ${targetTag} in ${this.options.registry.name}`;
    this.logger.info('promoting with ACR import', {
      from: `${from.repository}@${from.digest}`,
      to: targetTag,
    });
    try {
      await runAcrImport({ ...this.options, logger: this.logger }, parameters, operation);
    } catch (error) {
      // NoForce refused a kept tag written meanwhile (by an earlier attempt, or a racing promotion): what
      // it holds decides, not ARM's wording of the refusal.
      if (!request.immutable || !(await this.holds(target, from.digest))) throw error;
      return;
    }
    await verifyImported(this.options.distribution, target, from.digest);
  }

  /**
   * Whether the kept tag already points at `digest` (true) or is absent (false); another digest there is
   * an ImmutableTagError.
   */
  private async holds(target: ImageReference, digest: string): Promise<boolean> {
    const held = await this.options.distribution.headManifest(target);
    if (held === undefined) return false;
    if (held.digest === digest) return true;
    throw new ImmutableTagError(`${target.repository}:${target.tag}`, held.digest, digest);
  }
}
