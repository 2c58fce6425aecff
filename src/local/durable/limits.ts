// What Azure's durable backends refuse, refused by the local engine too, so tests catch it before Azure does.
import { InvalidInstanceIdError, instanceIdProblem } from '../../workflows/names.js';

/** Durable Task Scheduler's largest orchestration or activity payload (input, output): 1 MB. */
export const MAX_PAYLOAD_BYTES = 1_000_000;

/** An orchestration or activity input or output larger than the backend takes. */
export class PayloadTooLargeError extends Error {
  constructor(
    /** What carried it: `input of activity importImage in sync:…`. */
    readonly what: string,
    readonly bytes: number,
  ) {
    super(`${what} is ${bytes} bytes of JSON; Durable Task Scheduler takes at most ${MAX_PAYLOAD_BYTES}`);
    this.name = 'PayloadTooLargeError';
  }
}

/** A start under the id of an instance that has not finished: it is never reset. */
export class InstanceRunningError extends Error {
  constructor(
    readonly instanceId: string,
    readonly runtimeStatus: string,
  ) {
    super(
      `orchestration instance '${instanceId}' is ${runtimeStatus}: it is not started again until it ends`,
    );
    this.name = 'InstanceRunningError';
  }
}

export function checkInstanceId(instanceId: string): void {
  const problem = instanceIdProblem(instanceId);
  if (problem !== undefined) throw new InvalidInstanceIdError(instanceId, problem);
}

/** Throws PayloadTooLargeError when the JSON text is over the limit. */
export function checkPayload(json: string | undefined, what: string): void {
  if (json === undefined) return;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError(what, bytes);
}
