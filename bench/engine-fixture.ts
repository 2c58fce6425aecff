// The engine benchmark's world: a mirror registry with base/node:1 and apps built FROM it, a config
// that rebases every app, and the checks that every app really moved onto a given base.
import { parseConfig } from '../src/config/load.js';
import type { BasewatchConfig } from '../src/config/types.js';
import type { ImageStore } from '../src/registry/image-store.js';
import { BASE_DIGEST, BASE_NAME } from '../src/registry/rebase-image.js';
import { makeImage, pushImage, type TestImage } from '../test/support/images.js';
import type { TestRegistry } from '../test/support/registry.js';

export const BASE = { repository: 'base/node', tag: '1' } as const;

export function appName(index: number): string {
  return `app-${String(index).padStart(3, '0')}`;
}

export function appRepository(index: number): string {
  return `apps/${appName(index)}`;
}

/** The first base and one app image per app, each built FROM it and saying so in its annotations. */
export function makeWorld(registry: TestRegistry, apps: number): { base: TestImage; apps: TestImage[] } {
  const base = makeImage({ seed: 'base-0', layers: 2 });
  const annotations = {
    [BASE_NAME]: `${registry.host}/${BASE.repository}:${BASE.tag}`,
    [BASE_DIGEST]: base.digest,
  };
  return {
    base,
    apps: Array.from({ length: apps }, (_, i) => makeImage({ seed: appName(i), base, annotations })),
  };
}

/** Puts every app image back as it was built (on the first base), undoing a round's rebases. */
export async function pushApps(registry: TestRegistry, apps: readonly TestImage[]): Promise<void> {
  const queue = apps.map((image, index) => ({ image, index }));
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift())
      await pushImage(registry.url, appRepository(next.index), '1', next.image);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

export function engineConfig(registry: TestRegistry, apps: number): BasewatchConfig {
  const lines = Array.from(
    { length: apps },
    (_, i) =>
      `  - { name: ${appName(i)}, image: "${appRepository(i)}:1", team: team-${i % 10}, baseImages: ["${BASE.repository}:${BASE.tag}"], rebuild: { rebase: true } }`,
  );
  const yaml = `
version: 1
registry: { url: "http://${registry.host}" }
images:
  - { source: docker.io/library/node, tags: ["${BASE.tag}"], target: ${BASE.repository} }
apps:
${lines.join('\n')}
`;
  return parseConfig(yaml, 'bench-engine.yaml');
}

/** Apps whose tag does not name a new manifest recording `baseDigest` as its base. */
export async function appsNotRebased(
  stores: (repository: string) => ImageStore,
  apps: readonly TestImage[],
  baseDigest: string,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const [index, original] of apps.entries()) {
    const repository = appRepository(index);
    const head = await stores(repository).headManifest({ repository, tag: '1' });
    if (!head || head.digest === original.digest) {
      wrong.push(`${appName(index)}: not moved`);
      continue;
    }
    const { manifest } = await stores(repository).getManifest({ repository, digest: head.digest });
    if (manifest.annotations?.[BASE_DIGEST] !== baseDigest)
      wrong.push(`${appName(index)}: base.digest ${manifest.annotations?.[BASE_DIGEST]}`);
  }
  return wrong;
}
