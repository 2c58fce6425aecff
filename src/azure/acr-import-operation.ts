// One ACR import (ARM `registries.importImage`, long-running) and the data-plane read that proves it: an
// upstream copy and a promotion inside the registry are the same operation with another source.
import type { ContainerRegistryManagementClient, ImportImageParameters } from '@azure/arm-containerregistry';
import type { Logger } from '../core/logger.js';
import { formatReference, type ImageReference } from '../core/reference.js';
import type { DistributionClient } from '../registry/distribution-client.js';
import type { AcrRegistry } from './acr-client.js';
import { armOperationError } from './arm-errors.js';

export interface AcrImportContext {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** How often to poll the import while ARM has not said how long to wait (default: the SDK's 2 s). */
  readonly pollIntervalMs?: number;
  readonly logger: Logger;
}

/** The target tag does not hold the digest the import was asked to copy. */
export class ImportVerificationError extends Error {
  constructor(
    readonly target: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`verify import into ${target}: the tag points at ${actual}, expected ${expected}`);
    this.name = 'ImportVerificationError';
  }
}

/**
 * Runs the import to its end. `operation` names it in errors; `secrets` (an upstream password ARM might
 * echo back) never appear in them.
 */
export async function runAcrImport(
  context: AcrImportContext,
  parameters: ImportImageParameters,
  operation: string,
  secrets: readonly string[] = [],
): Promise<void> {
  const { resourceGroup, name } = context.registry;
  // Set once the status monitor (Azure-AsyncOperation) has said Succeeded.
  let succeeded = false;
  try {
    await context.client.registries.beginImportImageAndWait(resourceGroup, name, parameters, {
      ...(context.pollIntervalMs !== undefined && { updateIntervalInMs: context.pollIntervalMs }),
      onResponse: (response: { parsedBody?: unknown }) => {
        if (isSucceededStatus(response.parsedBody)) succeeded = true;
      },
    });
  } catch (error) {
    const failure = armOperationError(operation, error, secrets);
    // After success the SDK reads the Location result once more; a role assigned on the registry alone
    // may not read that resource-group-scoped URL. The copy is done: the data plane decides next.
    if (!succeeded) throw failure;
    context.logger.warn(
      'ACR import succeeded, but its result could not be read; verifying on the data plane',
      {
        target: parameters.targetTags?.join(', '),
        reason: failure.message,
      },
    );
  }
}

/** Reads `target` on the data plane and fails unless it points at `digest`. */
export async function verifyImported(
  distribution: DistributionClient,
  target: ImageReference,
  digest: string,
): Promise<void> {
  const head = await distribution.headManifest(target);
  if (head?.digest !== digest) {
    throw new ImportVerificationError(formatReference(target), digest, head?.digest ?? 'no manifest');
  }
}

/** A long-running operation's status body saying the operation succeeded. */
function isSucceededStatus(body: unknown): boolean {
  const status = (body as { status?: unknown } | undefined)?.status;
  return typeof status === 'string' && status.toLowerCase() === 'succeeded';
}
