// What a sync cycle would do, without doing it: upstream HEADs only, nothing imported, nothing recorded.

import { type GateSummary, summariseGate } from '../core/gate.js';
import type { RebuildPlan } from '../core/rebuild-plan.js';
import { compareWithCopy, headTrackedTags } from '../workflows/activities/check-upstream-digests.js';
import { planRebuilds } from '../workflows/activities/plan-rebuild.js';
import { resolveTrackedTags } from '../workflows/activities/resolve-tracked-tags.js';
import type { WorkflowDeps } from '../workflows/deps.js';
import { gateOf } from '../workflows/types.js';
import { describeGate } from './describe-gate.js';

export interface DryRun {
  readonly wouldImport: {
    source: string;
    target: string;
    digest: string;
    previousDigest?: string;
    plan: RebuildPlan;
    gate?: GateSummary;
  }[];
  readonly unchanged: string[];
  /** Upstream moved, but the tag is pinned or the digest was rejected: a cycle would promote nothing. */
  readonly held: { target: string; digest: string; reason: string }[];
  readonly deferred: { target: string; resumeAt: string; reason: string }[];
  readonly failed: { target: string; error: string }[];
}

export async function dryRun(deps: WorkflowDeps, image?: string): Promise<DryRun> {
  const resolved = await resolveTrackedTags(deps, {
    ...(image !== undefined && { image }),
    onlyDue: false,
    at: deps.now().toISOString(),
  });
  const { checked, refused } = await headTrackedTags(deps, resolved.tags);
  const result: DryRun = {
    wouldImport: [],
    unchanged: [],
    held: [],
    deferred: [],
    failed: [
      ...resolved.errors.map((e) => ({ target: e.image, error: e.error })),
      ...refused.flatMap((c) => (c.status === 'failed' ? [{ target: c.tag.target, error: c.error }] : [])),
    ],
  };
  for (const { tag, check } of checked) {
    if (check.status === 'failed') result.failed.push({ target: tag.target, error: check.error });
    else if (check.status === 'deferred')
      result.deferred.push({ target: tag.target, resumeAt: check.resumeAt, reason: check.reason });
    else {
      const compared = compareWithCopy(tag, check.digest, await deps.state.getImage(tag.target));
      if (compared.status === 'unchanged') result.unchanged.push(tag.target);
      else if (compared.status === 'held')
        result.held.push({ target: tag.target, digest: compared.digest, reason: compared.reason });
      else if (compared.status === 'changed') {
        const { plan } = await planRebuilds(deps, { image: tag.target });
        const { previousDigest } = compared;
        const gate = gateOf(resolved, tag);
        result.wouldImport.push({
          source: tag.source,
          target: tag.target,
          digest: check.digest,
          ...(previousDigest !== undefined && { previousDigest }),
          plan,
          ...(gate && { gate: summariseGate(gate) }),
        });
      }
    }
  }
  return result;
}

export function describeDryRun(preview: DryRun): string {
  const lines = [`dry run: nothing was imported, rebuilt or recorded`];
  for (const item of preview.wouldImport) {
    lines.push(
      `would import ${item.source} → ${item.target} (${item.previousDigest ?? 'no copy yet'} → ${item.digest})`,
    );
    if (item.gate) lines.push(`  ${describeGate(item.gate)}`);
    for (const wave of item.plan.waves) {
      lines.push(`  wave ${wave.wave}: ${wave.apps.map((app) => `${app.name} (${app.reason})`).join(', ')}`);
    }
  }
  for (const target of preview.unchanged) lines.push(`unchanged    ${target}`);
  for (const item of preview.held)
    lines.push(`held         ${item.target} at upstream ${item.digest}: ${item.reason}`);
  for (const item of preview.deferred)
    lines.push(`deferred     ${item.target} until ${item.resumeAt}: ${item.reason}`);
  for (const item of preview.failed) lines.push(`failed       ${item.target}: ${item.error}`);
  return `${lines.join('\n')}\n`;
}
