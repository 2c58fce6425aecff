// What operators read of a local instance: the stored record and history as the Orchestrations port's status.
import type { OrchestrationStatus } from '../../core/orchestrations.js';
import type { HistoryEvent } from './history.js';
import { historyEntries } from './history-view.js';
import type { InstanceRecord } from './instance-store.js';

export function instanceStatus(
  record: InstanceRecord,
  history: HistoryEvent[] | undefined,
  showInput: boolean,
): OrchestrationStatus {
  const parse = (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text));
  return {
    instanceId: record.instanceId,
    name: record.name,
    runtimeStatus: record.runtimeStatus,
    createdTime: record.createdTime,
    lastUpdatedTime: record.lastUpdatedTime,
    ...(showInput && record.input !== undefined && { input: parse(record.input) }),
    ...(record.output !== undefined && { output: parse(record.output) }),
    ...(record.customStatus !== undefined && { customStatus: parse(record.customStatus) }),
    ...(record.parentInstanceId !== undefined && { parentInstanceId: record.parentInstanceId }),
    ...(history && { history: historyEntries(history) }),
  };
}
