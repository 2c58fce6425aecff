// Runs of ACR tasks as basewatch starts and reads them, for rebuilds and for the gate alike: a run is
// started once per token (a retried activity finds the run its first attempt scheduled), and its ACR
// status is read in basewatch's words.
import type {
  ContainerRegistryManagementClient,
  OverrideTaskStepProperties,
  Run,
  TaskRunRequest,
} from '@azure/arm-containerregistry';
import type { RebuildStatus } from '../core/rebuilder.js';
import { type AcrRegistry, taskResourceId } from './acr-client.js';

export interface AcrTaskRunsOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** How many of the task's latest runs to search for one a token already started (default 20). */
  readonly recentRunsToSearch?: number;
}

/** A run ARM reported, with the id every later call needs. */
export type StartedRun = Run & { readonly runId: string };

/** What a run is started with besides its token: the TaskRunRequest's step overrides. */
export type RunOverrides = Omit<OverrideTaskStepProperties, 'updateTriggerToken'>;

const MAX_ERROR_MESSAGE = 1000;

/** ACR run statuses, as the 2019-06-01-preview API names them, in basewatch's words. */
const STATUS: Readonly<Record<string, RebuildStatus>> = {
  Queued: 'queued',
  Started: 'running',
  Running: 'running',
  Succeeded: 'succeeded',
  Failed: 'failed',
  Error: 'failed',
  Canceled: 'canceled',
  Timeout: 'timeout',
};

/** An ACR run status in basewatch's words; undefined for a status this API version did not name. */
export function runStatus(acrStatus: string | undefined): RebuildStatus | undefined {
  return acrStatus === undefined ? undefined : STATUS[acrStatus];
}

/** How a run that did not succeed ended, with ACR's own error message (at most 1000 characters). */
export function runFailureReason(run: Run, task?: string): string {
  const status = run.status ?? 'unknown';
  const which = task === undefined ? `ACR run ${run.runId}` : `ACR run ${run.runId} of ${task}`;
  return run.runErrorMessage
    ? `${which} ended ${status}: ${run.runErrorMessage.slice(0, MAX_ERROR_MESSAGE)}`
    : `${which} ended ${status}`;
}

/** A token marking the runs one request starts, base64 as ACR documents `updateTriggerToken`. */
export function runToken(marker: string): string {
  return Buffer.from(`basewatch:${marker}`).toString('base64');
}

export class AcrTaskRuns {
  constructor(private readonly options: AcrTaskRunsOptions) {}

  /**
   * The run `token` already started of `task`, else a new one. ACR keeps a run's `updateTriggerToken`,
   * so a retried activity finds the run its first attempt scheduled instead of starting a second one.
   */
  async startOnce(task: string, token: string, overrides: RunOverrides = {}): Promise<StartedRun> {
    const run = (await this.findStarted(task, token)) ?? (await this.schedule(task, token, overrides));
    if (!run.runId) throw new Error(`ACR answered without a run id for a run of task ${task}`);
    return run as StartedRun;
  }

  async get(runId: string): Promise<Run> {
    const { resourceGroup, name } = this.options.registry;
    return this.options.client.runs.get(resourceGroup, name, runId);
  }

  private async findStarted(task: string, token: string): Promise<Run | undefined> {
    const { resourceGroup, name } = this.options.registry;
    const top = this.options.recentRunsToSearch ?? 20;
    // The filter is escaped as OData wants: a quote inside a literal is doubled.
    const filter = `TaskName eq '${task.replaceAll("'", "''")}'`;
    let seen = 0;
    for await (const run of this.options.client.runs.list(resourceGroup, name, { filter, top })) {
      if (run.updateTriggerToken === token) return run;
      if (++seen >= top) break;
    }
    return undefined;
  }

  private schedule(task: string, token: string, overrides: RunOverrides): Promise<Run> {
    const { resourceGroup, name } = this.options.registry;
    const runRequest: TaskRunRequest = {
      type: 'TaskRunRequest',
      taskId: taskResourceId(this.options.registry, task),
      overrideTaskStepProperties: { ...overrides, updateTriggerToken: token },
    };
    // The long-running part of scheduleRun is the scheduling only; the run itself is followed by `get`.
    return this.options.client.registries.beginScheduleRunAndWait(resourceGroup, name, runRequest);
  }
}
