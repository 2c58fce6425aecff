// `basewatch plan`: the rebuild waves an image change would start, and why each app is in them.
import { loadConfig } from '../../config/load.js';
import { type ImpactPlan, planImpact } from '../../config/plan-impact.js';
import { ImageReferenceError } from '../../core/reference.js';
import { describeGate } from '../describe-gate.js';

export async function plan(ref: string, options: { config: string; json?: boolean }): Promise<void> {
  const config = await loadConfig(options.config);
  let plan: ImpactPlan;
  try {
    plan = await planImpact(config, ref);
  } catch (error) {
    if (error instanceof ImageReferenceError) throw Object.assign(error, { exitCode: 2 });
    throw error;
  }
  process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan));
}

function describePlan({ upstream, known, ...plan }: ImpactPlan): string {
  const name = upstream ? `${plan.changed} (the copy of ${upstream})` : plan.changed;
  const apps = plan.waves.reduce((n, wave) => n + wave.apps.length, 0);
  if (apps === 0) {
    return known
      ? `If ${name} changed, nothing would rebuild: no app is built FROM it.\n`
      : `${name} is not in the dependency graph (not tracked, not an app image, nobody's base): nothing would rebuild.\n`;
  }
  const lines = [
    `If ${name} changed, ${apps} app${apps === 1 ? '' : 's'} would rebuild in ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}:`,
    ...(plan.gate ? [describeGate(plan.gate)] : []),
  ];
  for (const wave of plan.waves) {
    lines.push(`wave ${wave.wave}:`);
    for (const app of wave.apps) lines.push(`  ${app.name} (${app.image}, team ${app.team}): ${app.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
