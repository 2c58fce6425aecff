// The gate as config writes it → the Gate each tracked image carries: defaults applied, the quarantine
// repository named, and what cannot work (an ACR task without ACR, a shared quarantine) refused by place.
import type { Gate, GateCheck } from '../core/gate.js';
import { parsePrivateReference } from '../core/private-image.js';
import type { FieldProblem } from './errors.js';
import { privateRepository } from './private-repository.js';
import type { RawConfig } from './schema.js';
import type { TrackedImageConfig } from './types.js';

export type RawGate = NonNullable<RawConfig['images'][number]['gate']>;

/** How long a webhook check's 202 is polled, and an ACR validation run waited for, by default. */
export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 30 * 60;
export const DEFAULT_ACR_TASK_TIMEOUT_SECONDS = 60 * 60;

/**
 * The image's gate: its own, else `defaults.gate`; `gate: none` turns it off. `fromDefaults` places the
 * problems of an inherited gate under `defaults.gate`, where it is written.
 */
export function gateOf(
  own: RawGate | undefined,
  inherited: RawGate | undefined,
  target: string,
  host: string | undefined,
  index: number,
  problems: FieldProblem[],
): { gate?: Gate } {
  const raw = own ?? inherited;
  if (raw === undefined || raw === 'none') return {};
  const where: PropertyKey[] = own !== undefined ? ['images', index, 'gate'] : ['defaults', 'gate'];
  const quarantine = privateRepository(raw.quarantine ?? `quarantine/${target}`, host);
  if (typeof quarantine !== 'string') {
    problems.push({ path: [...where, 'quarantine'], message: quarantine.error });
    return {};
  }
  if (quarantine === target) {
    problems.push({
      path: [...where, 'quarantine'],
      message: `quarantine ${quarantine} is the target itself; expected a repository of its own`,
    });
  }
  return { gate: { quarantine, checks: raw.checks.map(gateCheck) } };
}

type RawCheck = Exclude<RawGate, 'none'>['checks'][number];

function gateCheck(raw: RawCheck): GateCheck {
  if (raw.platforms !== undefined) return { kind: 'platforms', platforms: raw.platforms };
  if (raw.maxGrowth !== undefined) return { kind: 'maxGrowth', percent: raw.maxGrowth };
  if (raw.webhook !== undefined) {
    return {
      kind: 'webhook',
      url: raw.webhook.url,
      ...(raw.webhook.secret !== undefined && { secret: raw.webhook.secret }),
      timeoutSeconds: raw.webhook.timeoutSeconds ?? DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
    };
  }
  if (raw.acrTask !== undefined) {
    const { task, timeoutSeconds } = typeof raw.acrTask === 'string' ? { task: raw.acrTask } : raw.acrTask;
    return { kind: 'acrTask', task, timeoutSeconds: timeoutSeconds ?? DEFAULT_ACR_TASK_TIMEOUT_SECONDS };
  }
  if (raw.packages !== undefined) {
    const { deny, maxChanges, forbid } = raw.packages;
    return {
      kind: 'packages',
      deny: deny ?? [],
      ...(maxChanges !== undefined && { maxChanges }),
      forbid: forbid ?? [],
    };
  }
  return { kind: 'signature', policy: raw.signature ?? {} };
}

/**
 * Across images: a quarantine repository belongs to one image and holds no copy or app; an ACR task
 * check needs the ACR the task runs in.
 */
export function gateProblems(
  images: readonly TrackedImageConfig[],
  apps: RawConfig['apps'],
  acr: boolean,
  host: string | undefined,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const owners = new Map<string, number>();
  const targets = new Map(images.map((image, i) => [image.target, i]));
  const appRepositories = new Set(
    apps.flatMap((app) => {
      try {
        return [parsePrivateReference(app.image, host).repository];
      } catch {
        return [];
      }
    }),
  );
  for (const [i, image] of images.entries()) {
    if (!image.gate) continue;
    const at = ['images', i, 'gate', 'quarantine'];
    const { quarantine } = image.gate;
    const copy = targets.get(quarantine);
    const first = owners.get(quarantine);
    if (copy !== undefined && copy !== i) {
      problems.push({
        path: at,
        message: `quarantine ${quarantine} holds the private copy of images[${copy}]`,
      });
    } else if (appRepositories.has(quarantine)) {
      problems.push({ path: at, message: `quarantine ${quarantine} is an app's repository` });
    } else if (first !== undefined) {
      problems.push({ path: at, message: `quarantine ${quarantine} is already used by images[${first}]` });
    }
    owners.set(quarantine, first ?? i);
    for (const [j, check] of image.gate.checks.entries()) {
      if (check.kind === 'acrTask' && !acr) {
        problems.push({
          path: ['images', i, 'gate', 'checks', j, 'acrTask'],
          message: 'an acrTask check runs in ACR: give registry.acr, or use a webhook check',
        });
      }
    }
  }
  return problems;
}
