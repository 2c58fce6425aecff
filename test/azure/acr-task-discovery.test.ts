import { afterEach, describe, expect, it } from 'vitest';
import {
  AcrTaskBaseDiscovery,
  listTaskBaseImageEdges,
  stepEdges,
} from '../../src/azure/acr-task-discovery.js';
import { type FakeArm, startFakeArm } from '../support/azure/arm-server.js';
import { fakeArmClient, fakeRegistry } from '../support/azure/clients.js';

const NODE_DIGEST = `sha256:${'1'.repeat(64)}`;

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.stop();
  arm = undefined;
});

async function armWithTasks(): Promise<FakeArm> {
  arm = await startFakeArm();
  arm.tasks.set('build-orders-api', {
    name: 'build-orders-api',
    step: {
      type: 'Docker',
      imageNames: ['apps/orders-api:1', 'apps/orders-api:{{.Run.ID}}'],
      dockerFilePath: 'Dockerfile',
      contextPath: '.',
      baseImageDependencies: [
        {
          type: 'BuildTime',
          registry: 'basewatchtest.azurecr.io',
          repository: 'base/node',
          tag: '20-alpine',
          digest: NODE_DIGEST,
        },
        { type: 'RunTime', registry: 'registry.hub.docker.com', repository: 'library/alpine', tag: '3.20' },
      ],
    },
  });
  // Never run yet: ACR has not filled in its base images.
  arm.tasks.set('build-billing', {
    name: 'build-billing',
    step: { type: 'Docker', imageNames: ['apps/billing:2'], dockerFilePath: 'Dockerfile', contextPath: '.' },
  });
  return arm;
}

describe('listTaskBaseImageEdges', () => {
  it("turns each Docker step's base image dependencies into edges from the images it builds", async () => {
    const arm = await armWithTasks();
    const edges = await listTaskBaseImageEdges({ client: fakeArmClient(arm), registry: fakeRegistry(arm) });

    expect(edges).toEqual([
      {
        appImage: 'apps/orders-api:1',
        baseImage: 'basewatchtest.azurecr.io/base/node:20-alpine',
        kind: 'BuildTime',
        task: 'build-orders-api',
      },
      {
        appImage: 'apps/orders-api:1',
        baseImage: 'docker.io/library/alpine:3.20',
        kind: 'RunTime',
        task: 'build-orders-api',
      },
    ]);
    // tasks.list, then listDetails for each task, on the Tasks API version.
    const calls = arm.requests.map(
      (r) => `${r.method} ${r.path.split('/registries/basewatchtest')[1]} ${r.apiVersion}`,
    );
    expect(calls).toEqual([
      'GET /tasks 2019-06-01-preview',
      'POST /tasks/build-orders-api/listDetails 2019-06-01-preview',
      'POST /tasks/build-billing/listDetails 2019-06-01-preview',
    ]);
  });

  it('ignores steps that are not Docker builds', () => {
    expect(stepEdges('deploy', { type: 'EncodedTask', encodedTaskContent: 'x' } as never)).toEqual([]);
    expect(stepEdges('nothing', undefined)).toEqual([]);
  });

  it('names a base known only by digest with that digest', () => {
    const edges = stepEdges('t', {
      type: 'Docker',
      dockerFilePath: 'Dockerfile',
      imageNames: ['apps/a:1'],
      baseImageDependencies: [
        {
          type: 'BuildTime',
          registry: 'mcr.microsoft.com',
          repository: 'dotnet/runtime',
          digest: NODE_DIGEST,
        },
      ],
    });
    expect(edges.map((edge) => edge.baseImage)).toEqual([`mcr.microsoft.com/dotnet/runtime@${NODE_DIGEST}`]);
  });
});

describe('AcrTaskBaseDiscovery', () => {
  it('reports the bases of the configured apps whose images a task builds', async () => {
    const arm = await armWithTasks();
    const discovery = new AcrTaskBaseDiscovery({
      client: fakeArmClient(arm),
      registry: fakeRegistry(arm),
      loginServer: 'basewatchtest.azurecr.io',
    });
    const bases = await discovery.discoverBases([
      { name: 'orders-api', image: 'apps/orders-api:1', team: 'payments' },
      { name: 'billing', image: 'apps/billing:2', team: 'payments' },
    ]);

    expect(bases).toEqual([
      { app: 'orders-api', base: 'basewatchtest.azurecr.io/base/node:20-alpine', source: 'acr-task' },
      { app: 'orders-api', base: 'docker.io/library/alpine:3.20', source: 'acr-task' },
    ]);
  });
});
