// Importer on Azure: ACR's import API copies the upstream image server-side (every platform, no
// Docker), then the registry's data plane proves the target tag holds the digest we asked for.
import type { ContainerRegistryManagementClient, ImportImageParameters } from '@azure/arm-containerregistry';
import type { Importer, ImportRequest, ImportResult } from '../core/importer.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { formatReference, parseReference } from '../core/reference.js';
import { referrersNotKept } from '../core/referrers.js';
import type { CredentialSource } from '../registry/auth.js';
import type { DistributionClient } from '../registry/distribution-client.js';
import type { AcrRegistry } from './acr-client.js';
import { runAcrImport, verifyImported } from './acr-import-operation.js';

export { ImportVerificationError } from './acr-import-operation.js';

export interface AcrImporterOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** The registry's data-plane host, e.g. `myregistry.azurecr.io`, where the result is verified. */
  readonly loginServer: string;
  /** Reads the private registry's data plane; must be able to authenticate to `loginServer`. */
  readonly distribution: DistributionClient;
  /** Upstream credentials per registry host, resolved at each import and never kept. */
  readonly upstreamCredentials?: CredentialSource;
  /** How often to poll the import while ARM has not said how long to wait (default: the SDK's 2 s). */
  readonly pollIntervalMs?: number;
  readonly logger?: Logger;
}

export class AcrImporter implements Importer {
  private readonly logger: Logger;

  constructor(private readonly options: AcrImporterOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async importImage(request: ImportRequest): Promise<ImportResult> {
    const source = parseReference(request.source, { defaultTag: false });
    if (source.digest === undefined) {
      throw new Error(`import ${request.source}: the source must be pinned by digest (repo@sha256:…)`);
    }
    const target = parseReference(`${this.options.loginServer}/${request.target}`);
    const targetTag = `${target.repository}:${target.tag}`;
    const operation = `import ${formatReference({ ...source, tag: undefined })} into ${this.options.registry.name} as ${targetTag}`;
    if (Array.isArray(request.platforms)) {
      // ACR import has no platform filter; copying the whole index keeps the upstream digest.
      this.logger.warn('ACR import copies every platform; the platform filter is not applied', {
        source: request.source,
        target: targetTag,
      });
    }

    const credentials = await this.options.upstreamCredentials?.(source.registry);
    const parameters: ImportImageParameters = {
      source: {
        registryUri: source.registry,
        sourceImage: `${source.repository}@${source.digest}`,
        ...(credentials && {
          credentials: { username: credentials.username, password: credentials.password },
        }),
      },
      targetTags: [targetTag],
      mode: 'Force',
    };
    const { name } = this.options.registry;
    this.logger.info('importing with ACR', { source: request.source, target: targetTag, registry: name });
    await runAcrImport(
      { ...this.options, logger: this.logger },
      parameters,
      operation,
      credentials ? [credentials.password] : [],
    );
    await verifyImported(this.options.distribution, target, source.digest);
    // ACR's import copies the image, not what is attached to it: say so rather than drop them silently.
    return {
      digest: source.digest,
      sameDigestAsSource: true,
      referrers: referrersNotKept(
        request.referrers ?? 'all',
        source.digest,
        'ACR import does not copy signatures, SBOMs or attestations',
      ),
    };
  }
}
