// A gate in words, for `plan` and `sync --dry-run`.
import type { GateSummary } from '../core/gate.js';

/** One line: where a new digest waits and what it must pass before any wave starts. */
export function describeGate(gate: GateSummary): string {
  return `gate first: quarantined in ${gate.quarantine}, then ${gate.checks.join(', then ')}; a failure rebuilds nothing`;
}
