import { afterEach, describe, expect, it } from 'vitest';
import { taskResourceId } from '../../src/azure/acr-client.js';
import { AcrTaskRebuilder } from '../../src/azure/acr-task-rebuilder.js';
import { ArmOperationError } from '../../src/azure/arm-errors.js';
import type { RebuildRequest } from '../../src/core/rebuilder.js';
import { type FakeArm, type FakeTask, startFakeArm } from '../support/azure/arm-server.js';
import { fakeArmClient, fakeRegistry } from '../support/azure/clients.js';

const NEW_DIGEST = `sha256:${'b'.repeat(64)}`;

const request: RebuildRequest = {
  app: 'orders-api',
  team: 'payments',
  image: 'apps/orders-api:1',
  method: { acrTask: 'build-orders-api' },
  base: 'base/node:20-alpine',
  baseDigest: `sha256:${'a'.repeat(64)}`,
  orchestrationId: 'syncImage-base-node-20-alpine-aaaa',
};

function buildTask(overrides: Partial<FakeTask> = {}): FakeTask {
  return {
    name: 'build-orders-api',
    step: {
      type: 'Docker',
      imageNames: ['apps/orders-api:1'],
      dockerFilePath: 'Dockerfile',
      contextPath: '.',
    },
    outputImages: [
      { registry: 'basewatchtest.azurecr.io', repository: 'apps/orders-api', tag: '1', digest: NEW_DIGEST },
    ],
    ...overrides,
  };
}

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.stop();
  arm = undefined;
});

async function setUp(task: FakeTask = buildTask()) {
  arm = await startFakeArm();
  arm.tasks.set(task.name, task);
  return {
    rebuilder: new AcrTaskRebuilder({ client: fakeArmClient(arm), registry: fakeRegistry(arm) }),
    arm,
  };
}

describe('AcrTaskRebuilder', () => {
  it("schedules a TaskRunRequest for the task's resource id, then reports the run until it succeeds", async () => {
    const { rebuilder, arm } = await setUp();
    const started = await rebuilder.start(request);

    expect(started).toMatchObject({ runId: 'cb1', status: 'queued' });
    expect(started.logUrl).toMatch(/^https:\/\/.+\/logs\/cb1\/rawtext\.log\?/);
    const scheduled = arm.requests.find((r) => r.path.endsWith('/scheduleRun'));
    expect(scheduled).toMatchObject({ method: 'POST', status: 200, apiVersion: '2019-06-01-preview' });
    expect(arm.runs.get('cb1')?.task).toBe('build-orders-api');

    const seen = [started.status];
    let run = started;
    while (run.status !== 'succeeded' && seen.length < 10) {
      run = await rebuilder.status(run, request);
      seen.push(run.status);
    }
    expect(seen).toEqual(['queued', 'queued', 'running', 'succeeded']);
    expect(run.imageDigest).toBe(NEW_DIGEST);
    expect(run.reason).toBeUndefined();
    // The log link is asked for when the run starts and when it ends, not on every poll.
    expect(run.logUrl).toMatch(/\/logs\/cb1\//);
    expect(arm.requests.filter((r) => r.path.endsWith('/listLogSasUrl'))).toHaveLength(2);
  });

  it('starts one run when a retried activity asks twice for the same rebuild', async () => {
    const { rebuilder, arm } = await setUp();
    const first = await rebuilder.start(request);
    const second = await rebuilder.start(request);

    expect(second.runId).toBe(first.runId);
    expect(arm.runs.size).toBe(1);
    // A rebuild for another base digest is a new run.
    const third = await rebuilder.start({ ...request, baseDigest: `sha256:${'c'.repeat(64)}` });
    expect(third.runId).not.toBe(first.runId);
    expect(arm.runs.size).toBe(2);
  });

  it("reports a failed run with ACR's error message as the reason", async () => {
    const { rebuilder } = await setUp(
      buildTask({ runStatuses: ['Queued', 'Failed'], runErrorMessage: 'failed to build: exit status 1' }),
    );
    const started = await rebuilder.start(request);
    const failed = await rebuilder.status(await rebuilder.status(started, request), request);

    expect(failed.status).toBe('failed');
    expect(failed.reason).toBe('ACR run cb1 ended Failed: failed to build: exit status 1');
    expect(failed.imageDigest).toBeUndefined();
  });

  it('names the task when it does not exist', async () => {
    const { rebuilder } = await setUp();
    const error = (await rebuilder
      .start({ ...request, method: { acrTask: 'build-missing' } })
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error).toBeInstanceOf(ArmOperationError);
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('build-missing');
    expect(error.message).toContain('orders-api');
  });

  it('reports an unknown run as not found', async () => {
    const { rebuilder } = await setUp();
    const error = (await rebuilder
      .status({ runId: 'cb404', status: 'running' }, request)
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('cb404');
  });

  it("reports Azure refusing the identity's token (wrong audience) as unauthorized", async () => {
    const { arm } = await setUp();
    const client = fakeArmClient(arm, undefined, { credentialScopes: ['https://example.invalid/.default'] });
    const error = (await new AcrTaskRebuilder({ client, registry: fakeRegistry(arm) })
      .start(request)
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error.kind).toBe('unauthorized');
    expect(error.code).toBe('InvalidAuthenticationToken');
  });

  it('refuses a rebuild method that is not an ACR task', async () => {
    const { rebuilder } = await setUp();
    await expect(rebuilder.start({ ...request, method: { rebase: true } })).rejects.toThrow(
      /only runs ACR tasks/,
    );
  });

  it('names the task by its full resource id', async () => {
    const { arm, rebuilder } = await setUp();
    expect(taskResourceId(fakeRegistry(arm), 'build-orders-api')).toBe(
      `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${arm.registry}/tasks/build-orders-api`,
    );
    await rebuilder.start(request);
    expect(arm.runs.get('cb1')?.taskId).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/basewatchtest/tasks/build-orders-api',
    );
  });
});
