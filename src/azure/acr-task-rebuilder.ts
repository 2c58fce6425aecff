// Rebuilder on Azure: schedules a run of the app's ACR task and reads the run's status; the
// orchestration polls `status` with durable timers, so nothing here waits for a build.
import type { ContainerRegistryManagementClient, Run } from '@azure/arm-containerregistry';
import { type Logger, silentLogger } from '../core/logger.js';
import { parsePrivateReference } from '../core/private-image.js';
import {
  FINISHED_REBUILD_STATUSES,
  type Rebuilder,
  type RebuildRequest,
  type RebuildRun,
} from '../core/rebuilder.js';
import type { AcrRegistry } from './acr-client.js';
import { AcrTaskRuns, runFailureReason, runStatus, runToken } from './acr-task-runs.js';
import { armOperationError } from './arm-errors.js';

export interface AcrTaskRebuilderOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** How many of the task's latest runs to search for one this request already started (default 20). */
  readonly recentRunsToSearch?: number;
  readonly logger?: Logger;
}

/** The token of one rebuild (its orchestration, app and base digest), so a retried start finds its run. */
export function runCorrelationToken(request: RebuildRequest): string {
  return runToken(`${request.orchestrationId}:${request.app}:${request.baseDigest}`);
}

export class AcrTaskRebuilder implements Rebuilder {
  private readonly logger: Logger;
  private readonly runs: AcrTaskRuns;

  constructor(private readonly options: AcrTaskRebuilderOptions) {
    this.logger = options.logger ?? silentLogger;
    this.runs = new AcrTaskRuns(options);
  }

  async start(request: RebuildRequest): Promise<RebuildRun> {
    const task = this.taskOf(request);
    const token = runCorrelationToken(request);
    const operation = `schedule a run of ACR task ${task} for app ${request.app}`;
    let run: Run;
    try {
      run = await this.runs.startOnce(task, token);
    } catch (error) {
      throw armOperationError(operation, error);
    }
    this.logger.info('ACR task run scheduled', { app: request.app, task, runId: run.runId });
    return this.toRebuildRun(run, request, { withLogUrl: true });
  }

  async status(started: RebuildRun, request: RebuildRequest): Promise<RebuildRun> {
    const { runId } = started;
    let run: Run;
    try {
      run = await this.runs.get(runId);
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
    let status = runStatus(run.status);
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
      status === 'failed' || status === 'canceled' || status === 'timeout'
        ? runFailureReason(run)
        : undefined;
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
