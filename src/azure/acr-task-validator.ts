// The `acrTask` gate check: a run of the named ACR task gets the quarantined image (pinned by digest)
// as its `image` argument, and the run's end is the verdict. Nothing here waits for the run: the
// orchestrator polls with durable timers until the check's timeout.
import type { ContainerRegistryManagementClient, Run } from '@azure/arm-containerregistry';
import type { GateCheck } from '../core/gate.js';
import type { GateValidator, ValidationProgress, ValidationSubject } from '../core/gate-validator.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { AcrRegistry } from './acr-client.js';
import { AcrTaskRuns, runFailureReason, runStatus, runToken } from './acr-task-runs.js';
import { armOperationError } from './arm-errors.js';

export interface AcrTaskValidatorOptions {
  readonly client: ContainerRegistryManagementClient;
  readonly registry: AcrRegistry;
  /** How many of the task's latest runs to search for one this check already started (default 20). */
  readonly recentRunsToSearch?: number;
  readonly logger?: Logger;
}

/** The name the task reads the quarantined image under: `--arg image=…` and `{{.Values.image}}`. */
export const IMAGE_ARGUMENT = 'image';

/** The token of one validation: the task, the image and the exact digest (as the webhook's idempotency key). */
export function validationToken(task: string, subject: ValidationSubject): string {
  return runToken(`gate:${task}:${subject.image}@${subject.digest}`);
}

export class AcrTaskValidator implements GateValidator {
  private readonly logger: Logger;
  private readonly runs: AcrTaskRuns;

  constructor(private readonly options: AcrTaskValidatorOptions) {
    this.logger = options.logger ?? silentLogger;
    this.runs = new AcrTaskRuns(options);
  }

  async start(check: GateCheck, subject: ValidationSubject): Promise<ValidationProgress> {
    const task = taskOf(check);
    const image = { name: IMAGE_ARGUMENT, value: subject.quarantine, isSecret: false };
    let run: Run;
    try {
      // As `az acr task run` does, both: a Docker step reads arguments, a YAML (file) task reads values.
      run = await this.runs.startOnce(task, validationToken(task, subject), {
        arguments: [image],
        values: [image],
      });
    } catch (error) {
      throw armOperationError(`schedule a run of ACR task ${task} to validate ${subject.quarantine}`, error);
    }
    this.logger.info('ACR validation run scheduled', { task, runId: run.runId, image: subject.quarantine });
    return this.progressOf(run, task);
  }

  async poll(check: GateCheck, pending: string): Promise<ValidationProgress> {
    const task = taskOf(check);
    let run: Run;
    try {
      run = await this.runs.get(pending);
    } catch (error) {
      throw armOperationError(`get ACR run ${pending} of task ${task}`, error);
    }
    return this.progressOf(run, task);
  }

  /** The gate stopped waiting: the run would only spend build minutes on a verdict nobody reads. */
  async cancel(check: GateCheck, pending: string): Promise<void> {
    const { resourceGroup, name } = this.options.registry;
    try {
      await this.options.client.runs.beginCancelAndWait(resourceGroup, name, pending);
    } catch (error) {
      throw armOperationError(`cancel ACR run ${pending} of task ${taskOf(check)}`, error);
    }
    this.logger.info('ACR validation run cancelled after the gate timed out', { runId: pending });
  }

  private progressOf(run: Run, task: string): ValidationProgress {
    const runId = run.runId ?? 'unknown';
    const status = runStatus(run.status);
    if (status === 'succeeded') return { passed: true, detail: `ACR run ${runId} of ${task} succeeded` };
    if (status === 'failed' || status === 'canceled' || status === 'timeout') {
      // The log link is a SAS URL (a credential), so the reason says how to read the log instead.
      const log = `az acr task logs --registry ${this.options.registry.name} --run-id ${runId}`;
      return { passed: false, reason: `${runFailureReason(run, task)} (log: ${log})` };
    }
    if (status === undefined)
      this.logger.warn('unknown ACR run status; treating the run as still running', {
        runId,
        status: run.status,
      });
    return { pending: runId };
  }
}

function taskOf(check: GateCheck): string {
  if (check.kind !== 'acrTask') throw new Error(`a ${check.kind} check is not an ACR task`);
  return check.task;
}
