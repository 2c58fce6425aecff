// The Orchestrations port on Azure, over the durable client (df.getClient / the client input binding).
import type * as df from 'durable-functions';
import type {
  HistoryEntry,
  InstanceFilter,
  OrchestrationStatus,
  Orchestrations,
  RunPage,
  RunQuery,
  RuntimeStatus,
} from '../core/orchestrations.js';
import { TERMINAL_STATUSES } from '../core/orchestrations.js';
import { fetchInstancePage } from './durable-instance-pages.js';

export class DurableClientOrchestrations implements Orchestrations {
  constructor(private readonly client: df.DurableClient) {}

  start(name: string, options: { instanceId?: string; input?: unknown }): Promise<string> {
    return this.client.startNew(name, {
      ...(options.instanceId !== undefined && { instanceId: options.instanceId }),
      ...(options.input !== undefined && { input: options.input }),
    });
  }

  async getStatus(
    instanceId: string,
    options: { showHistory?: boolean; showInput?: boolean } = {},
  ): Promise<OrchestrationStatus | undefined> {
    let status: df.DurableOrchestrationStatus;
    try {
      status = await this.client.getStatus(instanceId, {
        showHistory: options.showHistory ?? false,
        showHistoryOutput: options.showHistory ?? false,
        showInput: options.showInput ?? true,
      });
    } catch (error) {
      // durable-functions 3 throws for an unknown instance (the extension answers 404).
      if (/404|not found/i.test((error as Error).message)) return undefined;
      throw error;
    }
    return status ? toStatus(status) : undefined;
  }

  async list(filter: InstanceFilter = {}): Promise<OrchestrationStatus[]> {
    const found = await this.client.getStatusBy({
      ...(filter.runtimeStatus && { runtimeStatus: filter.runtimeStatus as df.OrchestrationRuntimeStatus[] }),
      ...(filter.createdFrom && { createdTimeFrom: filter.createdFrom }),
    });
    const sorted = found.map(toStatus).sort((a, b) => b.createdTime.localeCompare(a.createdTime));
    return sorted.slice(0, filter.limit ?? sorted.length);
  }

  /**
   * The extension's own page (`top`, continuation token), sorted newest first within the page; across pages
   * the backend's order holds (instance id on Azure Storage). The extension cannot filter by name: a page
   * filtered by name may hold fewer runs, its token still reading on.
   */
  async listPage(query: RunQuery): Promise<RunPage> {
    const page = await fetchInstancePage(this.client, query);
    const runs = page.statuses
      .map((status) => toStatus(status as unknown as df.DurableOrchestrationStatus))
      .filter((status) => query.name === undefined || status.name === query.name)
      .sort((a, b) => b.createdTime.localeCompare(a.createdTime));
    return {
      runs,
      ...(page.continuationToken !== undefined && { continuationToken: page.continuationToken }),
    };
  }

  terminate(instanceId: string, reason: string): Promise<void> {
    return this.client.terminate(instanceId, reason);
  }

  async purge(instanceId: string): Promise<void> {
    await this.client.purgeInstanceHistory(instanceId);
  }

  async purgeFinished(createdBefore: Date): Promise<number> {
    const result = await this.client.purgeInstanceHistoryBy({
      // The client's webhook path requires a start; the epoch takes every run.
      createdTimeFrom: new Date(0),
      createdTimeTo: createdBefore,
      runtimeStatus: TERMINAL_STATUSES as df.OrchestrationRuntimeStatus[],
    });
    return result.instancesDeleted;
  }
}

function toStatus(status: df.DurableOrchestrationStatus): OrchestrationStatus {
  return {
    instanceId: status.instanceId,
    name: status.name,
    runtimeStatus: status.runtimeStatus as RuntimeStatus,
    createdTime: new Date(status.createdTime).toISOString(),
    lastUpdatedTime: new Date(status.lastUpdatedTime).toISOString(),
    ...(status.input !== undefined && status.input !== null && { input: status.input }),
    ...(status.output !== undefined && status.output !== null && { output: status.output }),
    ...(status.customStatus !== undefined &&
      status.customStatus !== null && { customStatus: status.customStatus }),
    ...(status.history && { history: status.history.map(toEntry) }),
  };
}

/** The extension's history rows (PascalCase, names as strings) in the shape operators read everywhere. */
function toEntry(row: unknown): HistoryEntry {
  const event = row as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const name = text(event.FunctionName) ?? text(event.Name);
  const failure = text(event.Reason) ?? text(event.Details);
  const fireAt = text(event.FireAt) ?? text(event.ScheduledTime);
  const instanceId = text(event.InstanceId);
  return {
    eventType: text(event.EventType) ?? 'Unknown',
    timestamp: text(event.Timestamp) ?? '',
    ...(name !== undefined && { name }),
    ...(event.Input !== undefined && { input: event.Input }),
    ...(event.Result !== undefined && { result: event.Result }),
    ...(failure !== undefined && { failure }),
    ...(fireAt !== undefined && { fireAt }),
    ...(instanceId !== undefined && { instanceId }),
  };
}
