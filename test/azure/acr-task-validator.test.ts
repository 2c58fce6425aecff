// The acrTask gate check against the fake ARM server through the real SDK client: the run it schedules,
// and the verdict each ACR run status gives.
import { afterEach, describe, expect, it } from 'vitest';
import { AcrTaskValidator } from '../../src/azure/acr-task-validator.js';
import { ArmOperationError } from '../../src/azure/arm-errors.js';
import type { GateCheck } from '../../src/core/gate.js';
import type { ValidationSubject } from '../../src/core/gate-validator.js';
import { type FakeArm, type FakeTask, startFakeArm } from '../support/azure/arm-server.js';
import { fakeArmClient, fakeRegistry } from '../support/azure/clients.js';

const DIGEST = `sha256:${'1'.repeat(64)}`;
const subject: ValidationSubject = {
  image: 'base/node:20',
  digest: DIGEST,
  quarantine: `basewatchtest.azurecr.io/quarantine/base/node@${DIGEST}`,
  source: `docker.io/library/node@${DIGEST}`,
};
const check: GateCheck = { kind: 'acrTask', task: 'validate-base', timeoutSeconds: 3600 };

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.stop();
  arm = undefined;
});

async function validatorWith(task: Partial<FakeTask> = {}) {
  arm = await startFakeArm();
  arm.tasks.set('validate-base', {
    name: 'validate-base',
    step: { type: 'Docker', imageNames: [], dockerFilePath: 'Dockerfile', contextPath: '.' },
    ...task,
  });
  return {
    arm,
    validator: new AcrTaskValidator({ client: fakeArmClient(arm), registry: fakeRegistry(arm) }),
  };
}

describe('AcrTaskValidator', () => {
  it('schedules the task with the quarantined image as its image argument and value', async () => {
    const { arm, validator } = await validatorWith();
    expect(await validator.start(check, subject)).toEqual({ pending: 'cb1' });

    const scheduled = arm.requests.find((r) => r.path.endsWith('/scheduleRun'));
    expect(scheduled).toMatchObject({ method: 'POST', status: 200, apiVersion: '2019-06-01-preview' });
    const image = { name: 'image', value: subject.quarantine, isSecret: false };
    expect(scheduled?.body).toMatchObject({
      type: 'TaskRunRequest',
      taskId: `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${arm.registry}/tasks/validate-base`,
      overrideTaskStepProperties: { arguments: [image], values: [image] },
    });
    expect(arm.runs.get('cb1')).toMatchObject({ task: 'validate-base', arguments: [image], values: [image] });
  });

  it('polls a queued and running run as pending until it succeeds', async () => {
    const { validator } = await validatorWith({ runStatuses: ['Queued', 'Started', 'Running', 'Succeeded'] });
    const seen = [await validator.start(check, subject)];
    for (let i = 0; i < 4; i++) seen.push(await validator.poll(check, 'cb1'));
    expect(seen).toEqual([
      { pending: 'cb1' },
      { pending: 'cb1' },
      { pending: 'cb1' },
      { pending: 'cb1' },
      { passed: true, detail: 'ACR run cb1 of validate-base succeeded' },
    ]);
  });

  it.each(['Failed', 'Error', 'Canceled', 'Timeout'])(
    'fails the check on a run that ends %s, naming the run, its status and the error',
    async (status) => {
      const { validator } = await validatorWith({
        runStatuses: ['Queued', status],
        runErrorMessage: 'trivy found CVE-2026-0002',
      });
      await validator.start(check, subject);
      await validator.poll(check, 'cb1');
      expect(await validator.poll(check, 'cb1')).toEqual({
        passed: false,
        reason: `ACR run cb1 of validate-base ended ${status}: trivy found CVE-2026-0002 (log: az acr task logs --registry basewatchtest --run-id cb1)`,
      });
    },
  );

  it('keeps polling a run whose status this API version does not name', async () => {
    const { validator } = await validatorWith({ runStatuses: ['Queued', 'Paused'] });
    await validator.start(check, subject);
    await validator.poll(check, 'cb1');
    expect(await validator.poll(check, 'cb1')).toEqual({ pending: 'cb1' });
  });

  it('starts one run when a retried activity asks twice for the same digest, another for a new digest', async () => {
    const { arm, validator } = await validatorWith();
    await validator.start(check, subject);
    expect(await validator.start(check, subject)).toEqual({ pending: 'cb1' });
    expect(arm.runs.size).toBe(1);

    const other = `sha256:${'2'.repeat(64)}`;
    expect(await validator.start(check, { ...subject, digest: other })).toEqual({ pending: 'cb2' });
    expect(arm.runs.size).toBe(2);
  });

  it('names the task when it does not exist, and the run when it is gone', async () => {
    const { validator } = await validatorWith();
    const missing = (await validator
      .start({ ...check, task: 'validate-none' }, subject)
      .catch((e: unknown) => e)) as ArmOperationError;
    expect(missing).toBeInstanceOf(ArmOperationError);
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toContain('validate-none');

    const gone = (await validator.poll(check, 'cb404').catch((e: unknown) => e)) as ArmOperationError;
    expect(gone.kind).toBe('not-found');
    expect(gone.message).toContain('cb404');
  });

  it('refuses a check that is not an ACR task', async () => {
    const { validator } = await validatorWith();
    await expect(validator.start({ kind: 'maxGrowth', percent: 10 }, subject)).rejects.toThrow(
      /maxGrowth check is not an ACR task/,
    );
  });
});
