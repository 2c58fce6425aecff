import { pushImage, pushIndex, type TestImage, type TestIndex } from '../images.js';
import type { TestRegistry } from '../registry.js';
import { type AcceptedImport, ArmFailure } from './arm-server.js';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * An import as ACR performs it, close enough for the adapter's tests: the source is looked up on the
 * real upstream registry with the credentials the request carried (so a wrong password or an unknown
 * digest fails there), then the image is pushed into the real target registry under every target tag.
 * The images come from `catalog` (by digest) because the fake copies test images, not arbitrary ones.
 */
export function importFromCatalog(
  target: TestRegistry,
  catalog: ReadonlyMap<string, TestImage | TestIndex>,
): (request: AcceptedImport) => Promise<void> {
  return async (request) => {
    const at = request.sourceImage.indexOf('@');
    const repository = at >= 0 ? request.sourceImage.slice(0, at) : request.sourceImage;
    const selector = at >= 0 ? request.sourceImage.slice(at + 1) : 'latest';
    const source = `${request.registryUri}/${repository}`;
    const headers: Record<string, string> = { accept: MANIFEST_ACCEPT };
    if (request.credentials) {
      const basic = `${request.credentials.username ?? ''}:${request.credentials.password}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    }
    const head = await fetch(`http://${request.registryUri}/v2/${repository}/manifests/${selector}`, {
      method: 'HEAD',
      headers,
    });
    if (head.status === 401) {
      throw new ArmFailure(
        'InvalidParameters',
        `Failed to import ${source}: unauthorized: authentication required.`,
      );
    }
    if (head.status === 404) {
      throw new ArmFailure(
        'InvalidParameters',
        `Failed to import ${source}: source image ${selector} not found.`,
      );
    }
    const image = catalog.get(head.headers.get('docker-content-digest') ?? selector);
    if (!image) throw new ArmFailure('InternalServerError', `The test catalog has no image ${selector}.`);
    for (const targetTag of request.targetTags) {
      const colon = targetTag.lastIndexOf(':');
      const [repo, tag] = [targetTag.slice(0, colon), targetTag.slice(colon + 1)];
      if (image.kind === 'index') await pushIndex(target.url, repo, tag, image);
      else await pushImage(target.url, repo, tag, image);
    }
  };
}
