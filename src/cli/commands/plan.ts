// `basewatch plan REF [--json]`: what would rebuild, wave by wave, if REF moved, and why.
import type { Command } from 'commander';
import { loadDependencyGraph } from '../../config/dependency-graph.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../config/load.js';
import { resolvePlanImage } from '../../config/plan-image.js';
import { planRebuild, type RebuildPlan } from '../../core/rebuild-plan.js';
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
      const graph = await loadDependencyGraph(config);
      let image: ReturnType<typeof resolvePlanImage>;
      try {
        image = resolvePlanImage(config, ref, graph.images);
      } catch (error) {
        if (error instanceof ImageReferenceError) throw Object.assign(error, { exitCode: 2 });
        throw error;
      }
      const plan = planRebuild(graph, image.key);
      const known = graph.images.includes(image.key);
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ ...plan, ...(image.upstream && { upstream: image.upstream }), known }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(describePlan(plan, image.upstream, known));
      }
    });
}

function describePlan(plan: RebuildPlan, upstream: string | undefined, known: boolean): string {
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
