// Rebuilder on Azure: schedules a run of the app's ACR task and reads the run's status; the
// orchestration polls `status` with durable timers, so nothing here waits for a build.
import type { ContainerRegistryManagementClient, Run, TaskRunRequest } from '@azure/arm-containerregistry';
import { type Logger, silentLogger } from '../core/logger.js';
import { parsePrivateReference } from '../core/private-image.js';
import {
  FINISHED_REBUILD_STATUSES,
  type Rebuilder,
  type RebuildRequest,
  type RebuildRun,
  type RebuildStatus,
} from '../core/rebuilder.js';
import { type AcrRegistry, taskResourceId } from './acr-client.js';
import { armOperationError } from './arm-errors.js';

export interface AcrTaskRebuilderOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** How many of the task's latest runs to search for one this request already started (default 20). */
  readonly recentRunsToSearch?: number;
  readonly logger?: Logger;
}

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

export function rebuildStatus(acrStatus: string | undefined): RebuildStatus | undefined {
  return acrStatus === undefined ? undefined : STATUS[acrStatus];
}

/**
 * A token that marks the runs one request started. ACR keeps a run's `updateTriggerToken`, so a retried
 * activity finds the run its first attempt scheduled instead of starting a second one.
 */
export function runCorrelationToken(request: RebuildRequest): string {
  return Buffer.from(`basewatch:${request.orchestrationId}:${request.app}:${request.baseDigest}`).toString(
    'base64',
  );
}

export class AcrTaskRebuilder implements Rebuilder {
  private readonly logger: Logger;

  constructor(private readonly options: AcrTaskRebuilderOptions) {
    this.logger = options.logger ?? silentLogger;
  }

  async start(request: RebuildRequest): Promise<RebuildRun> {
    const task = this.taskOf(request);
    const token = runCorrelationToken(request);
    const operation = `schedule a run of ACR task ${task} for app ${request.app}`;
    let run: Run;
    try {
      run = (await this.findStartedRun(task, token)) ?? (await this.scheduleRun(task, token));
    } catch (error) {
      throw armOperationError(operation, error);
    }
    if (!run.runId) throw new Error(`${operation}: ACR answered without a run id`);
    this.logger.info('ACR task run scheduled', { app: request.app, task, runId: run.runId });
    return this.toRebuildRun(run, request, { withLogUrl: true });
  }

  async status(started: RebuildRun, request: RebuildRequest): Promise<RebuildRun> {
    const { runId } = started;
    const { resourceGroup, name } = this.options.registry;
    let run: Run;
    try {
      run = await this.options.client.runs.get(resourceGroup, name, runId);
    } catch (error) {
      throw armOperationError(`get ACR run ${runId} of app ${request.app}`, error);
    }
    return this.toRebuildRun(run, request, { withLogUrl: false });
  }

  private taskOf(request: RebuildRequest): string {
    if (!('acrTask' in request.method)) {
      throw new Error(
        `rebuild app ${request.app}: AcrTaskRebuilder only runs ACR tasks, not this rebuild method`,
      );
    }
    return request.method.acrTask;
  }

  private async findStartedRun(task: string, token: string): Promise<Run | undefined> {
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

  private scheduleRun(task: string, token: string): Promise<Run> {
    const { resourceGroup, name } = this.options.registry;
    const runRequest: TaskRunRequest = {
      type: 'TaskRunRequest',
      taskId: taskResourceId(this.options.registry, task),
      overrideTaskStepProperties: { updateTriggerToken: token },
    };
    // The long-running part of scheduleRun is the scheduling only; the build is followed by `status`.
    return this.options.client.registries.beginScheduleRunAndWait(resourceGroup, name, runRequest);
  }

  /**
   * The port's view of a run. The log link is fetched when the run starts and when it ends (the
   * moments events carry it), not on every poll: each call mints a new link and costs an ARM read.
   */
  private async toRebuildRun(
    run: Run,
    request: RebuildRequest,
    options: { withLogUrl: boolean },
  ): Promise<RebuildRun> {
    const runId = run.runId as string;
    let status = rebuildStatus(run.status);
    if (status === undefined) {
      this.logger.warn('unknown ACR run status; treating the run as still running', {
        runId,
        status: run.status,
      });
      status = 'running';
    }
    const finished = FINISHED_REBUILD_STATUSES.includes(status);
    const logUrl = options.withLogUrl || finished ? await this.logUrl(runId) : undefined;
    const imageDigest = status === 'succeeded' ? outputDigest(run, request.image) : undefined;
    const reason =
      status === 'failed' || status === 'canceled' || status === 'timeout' ? failureReason(run) : undefined;
    return {
      runId,
      status,
      ...(logUrl !== undefined && { logUrl }),
      ...(imageDigest !== undefined && { imageDigest }),
      ...(reason !== undefined && { reason }),
    };
  }

  /** The run's log link; a run without one yet (or a failure to get it) must not fail the status. */
  private async logUrl(runId: string): Promise<string | undefined> {
    const { resourceGroup, name } = this.options.registry;
    try {
      const result = await this.options.client.runs.getLogSasUrl(resourceGroup, name, runId);
      return result.logLink;
    } catch (error) {
      this.logger.warn('could not get the log link of an ACR run', {
        runId,
        error: armOperationError(`get the log link of ACR run ${runId}`, error).message,
      });
      return undefined;
    }
  }
}

/** The digest the run pushed for the app's image (`repository:tag`), if it reports one. */
function outputDigest(run: Run, image: string): string | undefined {
  const wanted = parsePrivateReference(image);
  const match = run.outputImages?.find(
    (output) => output.repository === wanted.repository && (output.tag ?? 'latest') === wanted.tag,
  );
  return match?.digest;
}

function failureReason(run: Run): string {
  const status = run.status ?? 'unknown';
  return run.runErrorMessage
    ? `ACR run ${run.runId} ended ${status}: ${run.runErrorMessage}`
    : `ACR run ${run.runId} ended ${status}`;
}
