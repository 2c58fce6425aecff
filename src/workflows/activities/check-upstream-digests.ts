// HEADs a batch of upstream tags, compares each digest with the private copy's, and remembers what it saw.
import { parseReference } from '../../core/reference.js';
import { checkUpstream } from '../../registry/check-upstream.js';
import type { WorkflowDeps } from '../deps.js';
import type { TagCheck, TrackedTag } from '../types.js';

export async function checkUpstreamDigests(
  deps: WorkflowDeps,
  input: { tags: TrackedTag[] },
): Promise<TagCheck[]> {
  const minRemaining = Math.max(0, ...input.tags.map((tag) => tag.minRemaining));
  const report = await checkUpstream(
    input.tags.map((tag) => parseReference(tag.source)),
    { client: deps.upstream, minRemaining },
  );
  const at = deps.now().toISOString();
  const checks: TagCheck[] = [];
  for (const [index, check] of report.checks.entries()) {
    const tag = input.tags[index]!;
    if (check.status === 'deferred') {
      checks.push({ status: 'deferred', tag, resumeAt: check.resumeAt, reason: check.reason });
      continue;
    }
    if (check.status === 'failed') {
      await deps.state.updateImage(tag.target, (current) => ({
        ...(current ?? { source: tag.source, target: tag.target }),
        lastChecked: at,
        lastError: check.error,
      }));
      checks.push({ status: 'failed', tag, error: check.error });
      continue;
    }
    const saved = await deps.state.updateImage(tag.target, (current) => {
      const { lastError: _cleared, ...rest } = current ?? { source: tag.source, target: tag.target };
      const moved = rest.lastUpstreamDigest !== undefined && rest.lastUpstreamDigest !== check.digest;
      return {
        ...rest,
        lastChecked: at,
        lastUpstreamDigest: check.digest,
        ...(moved && { lastChanged: at }),
      };
    });
    if (saved.importedDigest === check.digest) {
      checks.push({ status: 'unchanged', tag, digest: check.digest });
    } else {
      checks.push({
        status: 'changed',
        tag,
        digest: check.digest,
        ...(saved.importedDigest !== undefined && { previousDigest: saved.importedDigest }),
      });
    }
  }
  return checks;
}
