// `basewatch plan REF [--json]`: what would rebuild, wave by wave, if REF moved, and why.
import type { Command } from 'commander';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { type ImpactPlan, planImpact } from '../../config/plan-impact.js';
import { ImageReferenceError } from '../../core/reference.js';

export function register(program: Command): void {
  program
    .command('plan')
    .description('show the rebuild waves that would run if an image changed, and why each app is in them')
    .argument('<ref>', 'image in the private registry (base/node:20-alpine) or a tracked upstream tag')
    .option('--json', 'print the plan as JSON')
    .option('--config <file>', 'config file', DEFAULT_CONFIG_FILE)
    .action(async (ref: string, options: { config: string; json?: boolean }) => {
      const config = await loadConfig(options.config);
      let plan: ImpactPlan;
      try {
        plan = await planImpact(config, ref);
      } catch (error) {
        if (error instanceof ImageReferenceError) throw Object.assign(error, { exitCode: 2 });
        throw error;
      }
      process.stdout.write(options.json ? `${JSON.stringify(plan, null, 2)}\n` : describePlan(plan));
    });
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
  ];
  for (const wave of plan.waves) {
    lines.push(`wave ${wave.wave}:`);
    for (const app of wave.apps) lines.push(`  ${app.name} (${app.image}, team ${app.team}): ${app.reason}`);
  }
  return `${lines.join('\n')}\n`;
}
