// Which upstream tags to check this cycle: exact tags, or tag policies resolved against the upstream tag list,
// limited to the images whose own schedule is due.
import { registryCredential } from '../../config/credentials.js';
import { trackedImagesNamed } from '../../config/tracked-image-match.js';
import type { TrackedImageConfig } from '../../config/types.js';
import type { Gate } from '../../core/gate.js';
import { nextOccurrence, parseNcrontab } from '../../core/ncrontab.js';
import { parseReference } from '../../core/reference.js';
import type { TrackedImageState } from '../../core/state.js';
import { resolveTags } from '../../core/tag-policy.js';
import type { WorkflowDeps } from '../deps.js';
import type { TrackedTag } from '../types.js';

export interface ResolveInput {
  /** Only this image (target key, target repository or source); all when absent. */
  readonly image?: string;
  /** Timer ticks check only images whose schedule is due; manual runs check everything asked for. */
  readonly onlyDue: boolean;
  readonly at: string;
}

export interface ResolvedTrackedTags {
  readonly tags: TrackedTag[];
  /**
   * Each gated image's gate by its target repository (`base/node`), once per image rather than in each
   * of its tags: the tags travel through the orchestration's history three times over, a policy's
   * hundreds of them with it.
   */
  readonly gates: Readonly<Record<string, Gate>>;
  readonly errors: { readonly image: string; readonly error: string }[];
}

export async function resolveTrackedTags(
  deps: WorkflowDeps,
  input: ResolveInput,
): Promise<ResolvedTrackedTags> {
  const config = await deps.config();
  const states = await deps.state.listImages();
  const at = new Date(input.at);
  const tags: TrackedTag[] = [];
  const gates: Record<string, Gate> = {};
  const errors: ResolvedTrackedTags['errors'] = [];
  for (const image of config.images) {
    if (input.image !== undefined && trackedImagesNamed([image], input.image).length === 0) continue;
    if (input.onlyDue && !isDue(image, states, at)) continue;
    try {
      // Configured credentials must resolve even where the registry would let us in anonymously.
      registryCredential(config, parseReference(image.source, { defaultTag: false }).registry, deps.env);
      const { tags: selected, invalid } = await tagsOf(deps, image);
      if (image.gate && selected.length > 0) gates[image.target] = image.gate;
      if (invalid.length > 0) errors.push({ image: image.source, error: skippedTags(invalid) });
      for (const tag of selected) {
        tags.push({
          source: `${image.source}:${tag}`,
          target: `${image.target}:${tag}`,
          platforms: image.platforms,
          minRemaining: image.rateLimit.minRemaining,
          ...(image.referrers !== 'all' && { referrers: image.referrers }),
        });
      }
    } catch (error) {
      errors.push({ image: image.source, error: (error as Error).message });
    }
  }
  if (input.image !== undefined && tags.length === 0 && errors.length === 0) {
    errors.push({ image: input.image, error: `'${input.image}' is not a tracked image in ${config.file}` });
  }
  return { tags, gates, errors };
}

/** Due when its schedule has fired since any of its tags was last checked. */
function isDue(image: TrackedImageConfig, states: readonly TrackedImageState[], at: Date): boolean {
  const checked = states
    .filter((state) => state.target.startsWith(`${image.target}:`) && state.lastChecked)
    .map((state) => new Date(state.lastChecked!).getTime());
  if (checked.length === 0) return true;
  return nextOccurrence(parseNcrontab(image.schedule), new Date(Math.max(...checked))) <= at;
}

/** Names of invalid tags quoted in one error; a list of thousands is summarised after these. */
const NAMED_INVALID_TAGS = 10;

/**
 * The tags to check. A policy runs over the upstream tag list, which the registry alone vouches for:
 * tags that are not valid references are left out (and returned to be reported), the rest proceed.
 */
async function tagsOf(
  deps: WorkflowDeps,
  image: TrackedImageConfig,
): Promise<{ tags: readonly string[]; invalid: readonly string[] }> {
  if ('tags' in image.selection) return { tags: image.selection.tags, invalid: [] };
  const ref = parseReference(image.source, { defaultTag: false });
  const listed = await deps.upstream(ref.registry).listTags(ref.repository);
  const invalid = listed.filter((tag) => !isValidTag(image.source, tag));
  const available = invalid.length === 0 ? listed : listed.filter((tag) => isValidTag(image.source, tag));
  const resolved = resolveTags(image.selection, available);
  if (resolved.tags.length === 0)
    throw new Error(`tag policy of ${image.source} matches none of its ${available.length} valid tags`);
  return { tags: resolved.tags, invalid };
}

/** A tag is valid when `source:tag` parses back to exactly that tag (no digest, no other repository). */
function isValidTag(source: string, tag: string): boolean {
  try {
    const parsed = parseReference(`${source}:${tag}`, { defaultTag: false });
    return parsed.tag === tag && parsed.digest === undefined;
  } catch {
    return false;
  }
}

function skippedTags(invalid: readonly string[]): string {
  const named = invalid
    .slice(0, NAMED_INVALID_TAGS)
    .map((tag) => JSON.stringify(tag.length > 80 ? `${tag.slice(0, 80)}…` : tag));
  const more = invalid.length > NAMED_INVALID_TAGS ? ` and ${invalid.length - NAMED_INVALID_TAGS} more` : '';
  return `upstream lists ${invalid.length} tag(s) that are not valid tags, skipped: ${named.join(', ')}${more}`;
}
