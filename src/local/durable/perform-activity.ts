// Runs one activity a worker was asked for and answers with the event that completes its task: the
// result, or the failure (an unknown activity, a payload over the limit, or the activity's own error).
import type { ActivityHandler } from '../../app.js';
import type { Logger } from '../../core/logger.js';
import { activityContext } from './activity-context.js';
import { taskFailedEvent } from './episode-events.js';
import { EventType, type HistoryEvent, historyEvent } from './history.js';
import { checkPayload } from './limits.js';
import type { PendingWork } from './sdk-replay.js';

export async function performActivity(
  handler: ActivityHandler | undefined,
  item: Extract<PendingWork, { kind: 'activity' }>,
  instanceId: string,
  logger: Logger,
  now: () => Date,
): Promise<HistoryEvent> {
  try {
    if (!handler) throw new Error(`no activity named '${item.name}' is registered`);
    checkPayload(item.input, `input of activity ${item.name} in ${instanceId}`);
    const input = item.input === undefined ? undefined : JSON.parse(item.input);
    const output = await handler(input, activityContext(item.name, instanceId, logger));
    const result = JSON.stringify(output ?? null);
    checkPayload(result, `output of activity ${item.name} in ${instanceId}`);
    return historyEvent(EventType.TaskCompleted, now(), { TaskScheduledId: item.id, Result: result });
  } catch (error) {
    logger.warn('activity failed', { instanceId, activity: item.name, error: (error as Error).message });
    return taskFailedEvent(EventType.TaskFailed, item.id, error, now());
  }
}
