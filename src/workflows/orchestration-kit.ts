// Small pieces every orchestrator uses: retry policies, deterministic events, publishing that never fails a run.
import * as df from 'durable-functions';
import { type BasewatchEvent, cloudEvent, type EventData, type EventType } from '../core/events.js';
import { Activity } from './names.js';
import type { WorkflowTiming } from './types.js';

/** Transient failures (registry 5xx, throttling, resets) get a few tries with back-off. */
export function transientRetry(
  timing: Pick<WorkflowTiming, 'retryFirstMs' | 'retryAttempts'>,
): df.RetryOptions {
  const options = new df.RetryOptions(timing.retryFirstMs, timing.retryAttempts);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 60_000;
  return options;
}

/** An event whose id and time come from the orchestration, so replays and retries build the same one. */
export function orchestrationEvent(
  context: df.OrchestrationContext,
  type: EventType,
  subject: string,
  data: EventData,
): BasewatchEvent {
  return cloudEvent({
    type,
    subject,
    id: context.df.newGuid(context.df.instanceId),
    time: context.df.currentUtcDateTime.toISOString(),
    data: { ...data, orchestrationId: context.df.instanceId },
  });
}

/** Publishes; a notifier that stays down is logged in the history, never allowed to fail the sync. */
export function* publish(
  context: df.OrchestrationContext,
  timing: WorkflowTiming,
  events: BasewatchEvent[],
): Generator<df.Task, void, unknown> {
  if (events.length === 0) return;
  try {
    yield context.df.callActivityWithRetry(Activity.publishEvents, transientRetry(timing), { events });
  } catch (error) {
    context.log(`notifications not delivered: ${failureMessage(error)}`);
  }
}

/** The message of a failed activity, without the SDK's "Error: " prefix. */
export function failureMessage(error: unknown): string {
  if (error === undefined || error === null) return 'did not finish';
  const details = (error as { failureDetails?: { errorMessage?: string } }).failureDetails;
  return details?.errorMessage ?? (error as Error).message ?? String(error);
}
