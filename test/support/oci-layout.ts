import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestImage, TestIndex } from './images.js';

const REF_NAME = 'org.opencontainers.image.ref.name';

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[];
}

/** Writes (or adds to) an OCI image layout in `dir`, tagging the image or index `tag` in index.json. */
export async function writeOciLayout(
  dir: string,
  tag: string,
  artifact: TestImage | TestIndex,
): Promise<void> {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  const blobs = new Map(artifact.blobs);
  blobs.set(artifact.digest, artifact.manifestBytes);
  if (artifact.kind === 'index')
    for (const image of artifact.images) blobs.set(image.digest, image.manifestBytes);
  await Promise.all(
    [...blobs].map(([digest, bytes]) => writeFile(join(blobDir, digest.slice('sha256:'.length)), bytes)),
  );
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = await readLayoutIndex(dir);
  index.manifests = index.manifests.filter((entry) => entry.annotations?.[REF_NAME] !== tag);
  index.manifests.push({
    mediaType: artifact.mediaType,
    digest: artifact.digest,
    size: artifact.size,
    annotations: { [REF_NAME]: tag },
  });
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}

async function readLayoutIndex(dir: string): Promise<LayoutIndex> {
  try {
    return JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as LayoutIndex;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };
  }
}
