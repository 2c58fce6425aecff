// The gate's checks, in order, against a quarantined digest. A check may answer later: it is polled with
// durable timers (backing off) until a verdict or its timeout. The first failure ends the gate; a check
// that crashes or runs out of retries is a failure, never a pass.
import type * as df from 'durable-functions';
import { type CheckResult, describeCheck, type GateCheck } from '../core/gate.js';
import type { ValidationProgress, ValidationSubject } from '../core/gate-validator.js';
import { Activity } from './names.js';
import { failureMessage, transientRetry } from './orchestration-kit.js';
import type { WorkflowTiming } from './types.js';

export interface GateRun {
  readonly checks: readonly GateCheck[];
  readonly subject: ValidationSubject;
  readonly quarantine: string;
  readonly timing: WorkflowTiming;
}

export type GateOutcome =
  | { readonly passed: true; readonly results: CheckResult[] }
  | {
      readonly passed: false;
      readonly results: CheckResult[];
      readonly check: string;
      readonly reason: string;
    };

export function* passGate(
  context: df.OrchestrationContext,
  run: GateRun,
): Generator<df.Task, GateOutcome, unknown> {
  const results: CheckResult[] = [];
  for (const [index, check] of run.checks.entries()) {
    const name = describeCheck(check);
    context.df.setCustomStatus({
      phase: 'gate',
      image: run.subject.image,
      digest: run.subject.digest,
      check: name,
      step: index + 1,
      of: run.checks.length,
    });
    const verdict = yield* verdictOf(context, check, run);
    if (!verdict.passed) {
      results.push({ check: name, passed: false, reason: verdict.reason });
      return { passed: false, results, check: name, reason: verdict.reason };
    }
    results.push({
      check: name,
      passed: true,
      ...(verdict.detail !== undefined && { detail: verdict.detail }),
    });
  }
  return { passed: true, results };
}

function* verdictOf(
  context: df.OrchestrationContext,
  check: GateCheck,
  run: GateRun,
): Generator<df.Task, Exclude<ValidationProgress, { pending: string }>, unknown> {
  const retry = transientRetry(run.timing);
  let progress: ValidationProgress;
  try {
    progress = (yield context.df.callActivityWithRetry(Activity.startGateCheck, retry, {
      check,
      subject: run.subject,
      quarantine: run.quarantine,
    })) as ValidationProgress;
  } catch (error) {
    return { passed: false, reason: `the check could not run: ${failureMessage(error)}` };
  }
  const timeoutSeconds = 'timeoutSeconds' in check ? check.timeoutSeconds : run.timing.pollTimeoutSeconds;
  const deadline = context.df.currentUtcDateTime.getTime() + timeoutSeconds * 1000;
  let interval = run.timing.pollFirstSeconds;
  while ('pending' in progress) {
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= deadline) {
      yield* cancelPending(context, check, progress.pending, run);
      return { passed: false, reason: `no verdict within ${timeoutSeconds} s` };
    }
    yield context.df.createTimer(new Date(Math.min(now + interval * 1000, deadline)));
    interval = Math.min(interval * 2, run.timing.pollMaxSeconds);
    try {
      progress = (yield context.df.callActivityWithRetry(Activity.pollGateCheck, retry, {
        check,
        pending: progress.pending,
      })) as ValidationProgress;
    } catch (error) {
      return { passed: false, reason: `the check could not be polled: ${failureMessage(error)}` };
    }
  }
  return progress;
}

/** A timed-out check's run is cancelled where the validator can (an ACR run); failing to is only logged. */
function* cancelPending(
  context: df.OrchestrationContext,
  check: GateCheck,
  pending: string,
  run: GateRun,
): Generator<df.Task, void, unknown> {
  try {
    yield context.df.callActivityWithRetry(Activity.cancelGateCheck, transientRetry(run.timing), {
      check,
      pending,
    });
  } catch (error) {
    context.log(`could not cancel the timed-out check: ${failureMessage(error)}`);
  }
}
