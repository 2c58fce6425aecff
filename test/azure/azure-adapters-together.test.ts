// The Azure adapters in the order syncImage uses them: import the new base, learn who builds on it from
// the ACR tasks, rebuild that app with its task, and tell the team through Event Grid.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appSubject, cloudEvent, imageSubject } from '../../src/core/events.js';
import type { RebuildRun } from '../../src/core/rebuilder.js';
import { type FakeAzure, startFakeAzure } from '../support/azure/fake-azure.js';
import { makeImage, pushImage, type TestImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

let upstream: TestRegistry;
let target: TestRegistry;
let azure: FakeAzure;
let base: TestImage;
const APP_DIGEST = `sha256:${'f'.repeat(64)}`;

beforeAll(async () => {
  [upstream, target] = await Promise.all([startRegistry(), startRegistry()]);
  base = makeImage({ seed: 'node-22' });
  await pushImage(upstream.url, 'library/node', '22-alpine', base);
  azure = await startFakeAzure({ target });
  azure.arm.tasks.set('build-orders-api', {
    name: 'build-orders-api',
    step: {
      type: 'Docker',
      imageNames: ['apps/orders-api:1'],
      dockerFilePath: 'Dockerfile',
      contextPath: '.',
      baseImageDependencies: [
        { type: 'RunTime', registry: target.host, repository: 'base/node', tag: '22-alpine' },
      ],
    },
    outputImages: [{ registry: target.host, repository: 'apps/orders-api', tag: '1', digest: APP_DIGEST }],
  });
});

afterAll(async () => {
  await azure?.stop();
  await Promise.all([upstream?.stop(), target?.stop()]);
});

it('imports a base, finds and rebuilds its app with the ACR task, and publishes what happened', async () => {
  const imported = await azure.importer.importImage({
    source: `${upstream.host}/library/node@${base.digest}`,
    target: 'base/node:22-alpine',
  });
  expect(imported.digest).toBe(base.digest);

  const bases = await azure.discovery.discoverBases([
    { name: 'orders-api', image: 'apps/orders-api:1', team: 'payments' },
  ]);
  expect(bases).toEqual([
    { app: 'orders-api', base: `${target.host}/base/node:22-alpine`, source: 'acr-task' },
  ]);

  const request = {
    app: 'orders-api',
    team: 'payments',
    image: 'apps/orders-api:1',
    method: { acrTask: 'build-orders-api' },
    base: 'base/node:22-alpine',
    baseDigest: imported.digest,
    orchestrationId: 'syncImage|base/node:22-alpine',
  } as const;
  let run: RebuildRun = await azure.rebuilder.start(request);
  for (let polls = 0; run.status !== 'succeeded' && polls < 5; polls++) {
    run = await azure.rebuilder.status(run, request);
  }
  expect(run).toMatchObject({ status: 'succeeded', imageDigest: APP_DIGEST });

  await azure.notifier.publish([
    cloudEvent({
      type: 'basewatch.image.imported',
      subject: imageSubject('base/node:22-alpine'),
      time: '2026-11-27T12:00:00.000Z',
      data: { image: 'base/node:22-alpine', digest: imported.digest },
    }),
    cloudEvent({
      type: 'basewatch.rebuild.succeeded',
      subject: appSubject('payments', 'orders-api'),
      time: '2026-11-27T12:05:00.000Z',
      data: {
        app: 'orders-api',
        team: 'payments',
        runId: run.runId,
        digest: run.imageDigest,
        logUrl: run.logUrl,
      },
    }),
  ]);
  expect(azure.topic.events.map((event) => [event.type, event.subject])).toEqual([
    ['basewatch.image.imported', '/images/base/node:22-alpine'],
    ['basewatch.rebuild.succeeded', '/teams/payments/apps/orders-api'],
  ]);
});
