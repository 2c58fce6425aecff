// An import as ACR performs it, done by skopeo (an independent client that verifies every digest): the
// source is read from the real upstream registry with the credentials the request carried, and every
// platform is copied into the real registry that stands in for the ACR's data plane, keeping the digest.
import type { TestRegistry } from '../registry.js';
import { skopeoCopy } from '../skopeo.js';
import { type AcceptedImport, ArmFailure } from './arm-failure.js';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The registry an import copies into, as the fake ARM server needs to know it. */
export type DataPlaneRegistry = Pick<TestRegistry, 'host' | 'url'>;

/** `repo[:tag]` → `repo:tag`, the tag defaulting as the REST specification says: the source's, else latest. */
export function targetReference(targetTag: string, sourceImage: string): { repository: string; tag: string } {
  const colon = targetTag.indexOf(':');
  if (colon >= 0) return { repository: targetTag.slice(0, colon), tag: targetTag.slice(colon + 1) };
  const sourceTag = /^[^@:]+:([^@]+)$/.exec(sourceImage)?.[1];
  return { repository: targetTag, tag: sourceTag ?? 'latest' };
}

/** Whether `repository:tag` exists in the data-plane registry. */
export async function tagExists(
  registry: DataPlaneRegistry,
  repository: string,
  tag: string,
): Promise<boolean> {
  const head = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT },
  });
  return head.status === 200;
}

/**
 * Copies the requested source into `target` under every target tag, failing as ACR reports failures. A
 * `resourceId` source is read from `target` itself when it names `ownResourceId` (the registry ARM
 * serves, ids compared without case as ARM does); no other registry exists here.
 */
export function importWithSkopeo(
  target: DataPlaneRegistry,
  ownResourceId?: string,
): (request: AcceptedImport) => Promise<void> {
  return async (request) => {
    const sourceHost = sourceRegistryHost(request, target, ownResourceId);
    const source = `${sourceHost}/${request.sourceImage}`;
    const targets = request.targetTags.map((targetTag) => targetReference(targetTag, request.sourceImage));
    if (request.mode === 'NoForce') {
      for (const { repository, tag } of targets) {
        if (await tagExists(target, repository, tag)) {
          throw new ArmFailure(
            'InvalidParameters',
            `Tag ${repository}:${tag} already exists in target registry.`,
          );
        }
      }
    }
    const credentials = request.credentials && {
      username: request.credentials.username ?? '',
      password: request.credentials.password,
    };
    for (const { repository, tag } of targets) {
      try {
        await skopeoCopy(source, `${target.host}/${repository}:${tag}`, {
          all: true,
          ...(credentials && { srcCreds: credentials }),
        });
      } catch (error) {
        throw importFailure(source, String(error));
      }
    }
  };
}

/** The host an import reads from: its registryUri, or the data plane for this registry's own resourceId. */
function sourceRegistryHost(
  request: AcceptedImport,
  target: DataPlaneRegistry,
  ownResourceId: string | undefined,
): string {
  if (request.registryUri !== undefined) return request.registryUri;
  if (ownResourceId !== undefined && request.resourceId?.toLowerCase() === ownResourceId.toLowerCase()) {
    return target.host;
  }
  throw new ArmFailure(
    'InvalidParameters',
    `The source registry '${request.resourceId}' was not found, or the caller may not read it.`,
  );
}

/** ACR's words for the two failures tests provoke; anything else is reported as it came. */
function importFailure(source: string, skopeoError: string): ArmFailure {
  if (/unauthorized|authentication required|invalid username\/password/i.test(skopeoError)) {
    return new ArmFailure(
      'InvalidParameters',
      `Failed to import ${source}: unauthorized: authentication required.`,
    );
  }
  if (/manifest unknown|not found|name unknown/i.test(skopeoError)) {
    return new ArmFailure('InvalidParameters', `Failed to import ${source}: source image not found.`);
  }
  return new ArmFailure('InternalServerError', `Failed to import ${source}: ${skopeoError}`);
}
