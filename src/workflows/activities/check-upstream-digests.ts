// HEADs a batch of upstream tags, compares each digest with the private copy's, remembers what it saw,
// and holds the pulls each changed tag's import will need.
import pLimit from 'p-limit';
import { type ImageReference, parseReference } from '../../core/reference.js';
import { copiedUpstreamDigest, type TrackedImageState } from '../../core/state.js';
import { checkUpstream, type UpstreamCheck } from '../../registry/check-upstream.js';
import { importKey, importPulls, PullBudget } from '../../registry/pull-budget.js';
import type { WorkflowDeps } from '../deps.js';
import type { TagCheck, TrackedTag } from '../types.js';

/** Records written at once: a batch of hundreds of tags need not wait on one Table round trip after another. */
const STATE_WRITES = 8;

/**
 * Checks a batch of tags and records each as its HEAD answers. A changed tag's import gets its pulls held
 * in the host's budget at once, so the checks still running (this batch's and others') leave them alone.
 */
export async function checkUpstreamDigests(
  deps: WorkflowDeps,
  input: { tags: TrackedTag[] },
): Promise<TagCheck[]> {
  const budget = deps.pullBudget ?? new PullBudget();
  const at = deps.now().toISOString();
  const limit = pLimit(STATE_WRITES);
  const { valid, refused } = parseSources(input.tags);
  // Read once, so a change is known (and its import's pulls held) the moment its HEAD answers.
  const copies = new Map((await deps.state.listImages()).map((copy) => [copy.target, copy]));
  const results: TagCheck[] = [];
  await checkUpstream(
    valid.map((entry) => entry.ref),
    {
      stores: deps.upstream,
      minRemaining: minRemainingOf(input.tags),
      budget,
      onChecked: (check, index) => {
        const { tag, ref } = valid[index]!;
        const known = copies.get(tag.target);
        const seen = check.status === 'current' ? compareWithCopy(tag, check.digest, known) : undefined;
        if (check.status === 'current' && seen?.status === 'changed')
          budget.hold(
            ref.registry,
            importKey(tag.target, seen.digest),
            importPulls(check.mediaType, tag.platforms),
          );
        return limit(async () => {
          results[index] = await remember(deps, tag, check, at, known, seen);
        });
      },
    },
  );
  return [...results, ...refused];
}

/**
 * The upstream digest of each tag, HEADs bounded and budgeted per registry, nothing written: the CLI's
 * dry run reads upstream as the activity does. A source that is no reference is refused alone.
 */
export async function headTrackedTags(
  deps: Pick<WorkflowDeps, 'upstream' | 'pullBudget'>,
  tags: readonly TrackedTag[],
): Promise<{ checked: { tag: TrackedTag; check: UpstreamCheck }[]; refused: TagCheck[] }> {
  const { valid, refused } = parseSources(tags);
  const report = await checkUpstream(
    valid.map((entry) => entry.ref),
    {
      stores: deps.upstream,
      minRemaining: minRemainingOf(tags),
      ...(deps.pullBudget && { budget: deps.pullBudget }),
    },
  );
  return { checked: report.checks.map((check, index) => ({ tag: valid[index]!.tag, check })), refused };
}

/** The batch's strictest reserve, kept at each of its registries. */
function minRemainingOf(tags: readonly TrackedTag[]): number {
  return Math.max(0, ...tags.map((tag) => tag.minRemaining));
}

/**
 * One tag that is not a valid reference fails alone, by name and with no state written under its
 * name; the rest of the batch is checked.
 */
function parseSources(tags: readonly TrackedTag[]): {
  valid: { tag: TrackedTag; ref: ImageReference }[];
  refused: TagCheck[];
} {
  const valid: { tag: TrackedTag; ref: ImageReference }[] = [];
  const refused: TagCheck[] = [];
  for (const tag of tags) {
    try {
      valid.push({ tag, ref: parseReference(tag.source) });
    } catch (error) {
      refused.push({ status: 'failed', tag, error: `not checked: ${(error as Error).message}` });
    }
  }
  return { valid, refused };
}

/**
 * Where an upstream digest stands against the private copy: changed (to import) or unchanged. Like is
 * compared with like: the upstream digest with the upstream digest the copy was made from (a
 * platform-filtered copy has a digest of its own); `previousDigest` is the copy's, what apps build on.
 */
export function compareWithCopy(
  tag: TrackedTag,
  digest: string,
  copy: TrackedImageState | undefined,
): TagCheck {
  if (copiedUpstreamDigest(copy) === digest) return { status: 'unchanged', tag, digest };
  const held = holdReason(copy, digest);
  if (held !== undefined) return { status: 'held', tag, digest, reason: held };
  return {
    status: 'changed',
    tag,
    digest,
    ...(copy?.importedDigest !== undefined && { previousDigest: copy.importedDigest }),
  };
}

/** Why a new upstream digest is not promoted: the tag is pinned, or the gate rejected this very digest. */
function holdReason(copy: TrackedImageState | undefined, digest: string): string | undefined {
  if (copy?.pinned) {
    const { pinned } = copy;
    return `pinned at ${pinned.digest} by ${pinned.by}${pinned.reason ? ` (${pinned.reason})` : ''}; unpin to promote ${digest}`;
  }
  if (copy?.rejected?.upstreamDigest === digest) {
    return `${digest} was rejected by ${copy.rejected.check}: ${copy.rejected.reason}; promote it by hand to override`;
  }
  return undefined;
}

async function remember(
  deps: WorkflowDeps,
  tag: TrackedTag,
  check: UpstreamCheck,
  at: string,
  known: TrackedImageState | undefined,
  seen: TagCheck | undefined,
): Promise<TagCheck> {
  if (check.status === 'deferred') {
    return { status: 'deferred', tag, resumeAt: check.resumeAt, reason: check.reason };
  }
  if (check.status === 'failed') {
    await deps.state.updateImage(tag.target, (current) => ({
      ...(current ?? { source: tag.source, target: tag.target }),
      lastChecked: at,
      lastError: check.error,
    }));
    return { status: 'failed', tag, error: check.error };
  }
  // Most of a fleet is unchanged every cycle: when the record read at the batch's start already holds
  // this digest and no error, only the check's time is new, written in one request instead of two.
  if (
    seen?.status === 'unchanged' &&
    known?.lastUpstreamDigest === check.digest &&
    known.lastError === undefined &&
    (await deps.state.markChecked(tag.target, at))
  ) {
    return seen;
  }
  const saved = await deps.state.updateImage(tag.target, (current) => {
    const { lastError: _cleared, ...rest } = current ?? { source: tag.source, target: tag.target };
    const moved = rest.lastUpstreamDigest !== undefined && rest.lastUpstreamDigest !== check.digest;
    return { ...rest, lastChecked: at, lastUpstreamDigest: check.digest, ...(moved && { lastChanged: at }) };
  });
  return compareWithCopy(tag, check.digest, saved);
}
