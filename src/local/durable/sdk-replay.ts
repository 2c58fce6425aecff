// The one place that reaches into durable-functions' internals (pinned at 3.5.0): it replays an
// orchestrator through the SDK's own TaskOrchestrationExecutor, as the Durable Task extension does,
// and reads the executor's open tasks to learn what the orchestration waits on.
// test/local/sdk-replay.test.ts fails loudly if these internals move.
import { createRequire } from 'node:module';
import type * as df from 'durable-functions';
import type { HistoryEvent } from './history.js';

const require = createRequire(import.meta.url);
const testing = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator: (
    fn: df.OrchestrationHandler,
  ) => (input: unknown, context: unknown) => Promise<OrchestratorState>;
  DurableOrchestrationInput: new (
    instanceId: string,
    history: HistoryEvent[],
    input: unknown,
    longRunningTimerIntervalDuration?: string,
    maximumShortTimerDuration?: string,
    defaultHttpAsyncRequestSleepTimeMillseconds?: number,
    schemaVersion?: number,
    isReplaying?: boolean,
    parentInstanceId?: string,
  ) => unknown;
  DummyOrchestrationContext: new (
    functionName?: string,
    invocationId?: string,
    logHandler?: (level: string, ...args: unknown[]) => void,
  ) => { df?: { taskOrchestratorExecutor?: Executor } };
};
const { ReplaySchema } = require('durable-functions/lib/src/orchestrations/ReplaySchema') as {
  ReplaySchema: Record<string, number>;
};
const { ActionType } = require('durable-functions/lib/src/actions/ActionType') as {
  ActionType: Record<string, number>;
};
const { RetryableTask } = require('durable-functions/lib/src/task/RetryableTask') as {
  RetryableTask: new (...args: never[]) => object;
};

/** The schema the engine speaks: V3, one action per task with compound WhenAll/WhenAny actions. */
export const REPLAY_SCHEMA = ReplaySchema.V3 as number;

interface OrchestratorState {
  isDone: boolean;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date;
  isCanceled?: boolean;
  retryOptions?: RetryPolicy;
}

interface SdkTask {
  id: number | string | false;
  /** An action object, or the string "noOp" on a retry's placeholder task. */
  actionObj?: SdkAction | string;
  parent?: SdkTask;
  isWaitingOnTimer?: boolean;
  attemptNumber?: number;
  retryOptions?: RetryPolicy;
}

interface Executor {
  openTasks: Record<string, SdkTask>;
}

/** RetryOptions as the SDK carries them. */
export interface RetryPolicy {
  readonly firstRetryIntervalInMilliseconds: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient?: number;
  readonly maxRetryIntervalInMilliseconds?: number;
  readonly retryTimeoutInMilliseconds?: number;
}

/** Something an orchestration waits on, keyed by the SDK's sequence number for it. */
export type PendingWork =
  | {
      readonly kind: 'activity';
      readonly id: number;
      readonly name: string;
      readonly input: string | undefined;
    }
  | {
      readonly kind: 'timer';
      readonly id: number;
      readonly fireAt: Date;
      /** A retry back-off timer, with the attempt that just failed and the policy. */
      readonly retry?: { readonly failedAttempt: number; readonly policy: RetryPolicy };
    }
  | {
      readonly kind: 'subOrchestration';
      readonly id: number;
      readonly name: string;
      readonly instanceId: string | undefined;
      readonly input: string | undefined;
    };

export interface ReplayResult {
  readonly status: 'running' | 'completed' | 'failed';
  readonly output?: unknown;
  readonly error?: string;
  readonly customStatus?: unknown;
  readonly pending: PendingWork[];
}

export interface ReplayInput {
  readonly name: string;
  readonly instanceId: string;
  readonly history: HistoryEvent[];
  readonly input: unknown;
  readonly parentInstanceId?: string;
  readonly log?: (level: string, message: string) => void;
}

/**
 * The JSON text an action's input travels as. Activity actions pre-encode bare strings
 * (Utils.processInput); sub-orchestration actions keep the value as it is.
 */
function encodedInput(input: unknown, preEncodesStrings: boolean): string | undefined {
  if (input === undefined) return undefined;
  return preEncodesStrings && typeof input === 'string' ? input : JSON.stringify(input);
}

/** Runs one episode of an orchestrator over its history and reports what it now waits on. */
export async function replay(fn: df.OrchestrationHandler, request: ReplayInput): Promise<ReplayResult> {
  const context = new testing.DummyOrchestrationContext(request.name, undefined, (level, ...args) =>
    request.log?.(level, args.map(String).join(' ')),
  );
  const binding = new testing.DurableOrchestrationInput(
    request.instanceId,
    request.history,
    request.input,
    undefined,
    undefined,
    undefined,
    REPLAY_SCHEMA,
    false,
    request.parentInstanceId ?? '',
  );
  let state: OrchestratorState;
  let status: ReplayResult['status'];
  try {
    state = await testing.createOrchestrator(fn)(binding, context);
    status = state.isDone ? 'completed' : 'running';
  } catch (error) {
    state = failedState(error);
    status = 'failed';
  }
  const executor = context.df?.taskOrchestratorExecutor;
  if (!executor || typeof executor.openTasks !== 'object') {
    throw new Error(
      'durable-functions internals moved: context.df.taskOrchestratorExecutor.openTasks is gone',
    );
  }
  const pending = status === 'running' ? Object.values(executor.openTasks).map(toPendingWork) : [];
  return {
    status,
    ...(state.output !== undefined && { output: state.output }),
    ...(state.error !== undefined && { error: state.error }),
    ...(state.customStatus !== undefined && { customStatus: state.customStatus }),
    pending: pending.filter((work): work is PendingWork => work !== undefined),
  };
}

/**
 * The state an orchestrator failed in. The SDK's OrchestrationFailureError carries it as JSON after a
 * `$OutOfProcData$:` label in its message (the extension parses it the same way); its `error` is the
 * orchestrator's own exception message.
 */
function failedState(error: unknown): OrchestratorState {
  const message = error instanceof Error ? error.message : String(error);
  const label = message.indexOf(OUT_OF_PROC_DATA);
  if (label >= 0) {
    try {
      const state = JSON.parse(message.slice(label + OUT_OF_PROC_DATA.length)) as OrchestratorState;
      return { ...state, error: state.error ?? message.slice(0, label) };
    } catch {
      // Fall through to the whole message.
    }
  }
  return { isDone: true, error: message };
}

const OUT_OF_PROC_DATA = '$OutOfProcData$:';

function toPendingWork(task: SdkTask): PendingWork | undefined {
  if (typeof task.id !== 'number') return undefined;
  const id = task.id;
  const retrying = task.parent instanceof RetryableTask ? task.parent : undefined;
  // A retry's placeholder tasks (NoOpTask, action "noOp") carry no action: the retryable parent holds it.
  const placeholder = retrying !== undefined && typeof task.actionObj !== 'object';
  if (placeholder && retrying.isWaitingOnTimer) {
    const attempt = (retrying.attemptNumber ?? 2) - 1;
    return {
      kind: 'timer',
      id,
      fireAt: new Date(0),
      retry: { failedAttempt: attempt, policy: retrying.retryOptions! },
    };
  }
  const action = placeholder ? retrying.actionObj : task.actionObj;
  if (!action || typeof action !== 'object') {
    throw new Error(`durable-functions internals moved: open task ${id} has no action`);
  }
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return { kind: 'activity', id, name: action.functionName!, input: encodedInput(action.input, true) };
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return {
        kind: 'subOrchestration',
        id,
        name: action.functionName!,
        instanceId: action.instanceId || undefined,
        input: encodedInput(action.input, false),
      };
    case ActionType.CreateTimer:
      return action.isCanceled ? undefined : { kind: 'timer', id, fireAt: new Date(action.fireAt!) };
    default:
      throw new Error(`basewatch's local engine does not support durable action type ${action.actionType}`);
  }
}

/** The delay before retry attempt `failedAttempt + 1`, as the Durable Task framework computes it. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const coefficient = policy.backoffCoefficient ?? 1;
  const delay = policy.firstRetryIntervalInMilliseconds * coefficient ** (failedAttempt - 1);
  return Math.min(delay, policy.maxRetryIntervalInMilliseconds ?? Number.POSITIVE_INFINITY);
}

/** True when the SDK gives up after this failure (it still waits for one timer before it says so). */
export function retriesExhausted(policy: RetryPolicy, failedAttempt: number): boolean {
  return failedAttempt >= policy.maxNumberOfAttempts;
}
