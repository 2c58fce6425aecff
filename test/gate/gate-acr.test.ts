// The gate on Azure: the same orchestrations with `registry.acr` configured. The real ARM SDK client talks
// to the fake ARM server; its imports are performed by skopeo into a real registry standing in for the ACR
// data plane, so what each tag holds is read back by skopeo, not by basewatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities, orchestrations } from '../../src/app.js';
import { openTableStateStore } from '../../src/azure/state-store.js';
import { parseConfig } from '../../src/config/load.js';
import { jsonLogger } from '../../src/core/logger.js';
import { LocalDurableEngine } from '../../src/local/durable/engine.js';
import { MemoryInstanceStore } from '../../src/local/durable/memory-instance-store.js';
import { buildPorts } from '../../src/wiring.js';
import { Orchestration } from '../../src/workflows/names.js';
import type { SyncCycleOutcome } from '../../src/workflows/types.js';
import { type FakeArm, type RecordedArmRequest, startFakeArm } from '../support/azure/arm-server.js';
import { TestTokenCredential } from '../support/azure/test-credential.js';
import { type AzuriteTables, startAzuriteTables } from '../support/azurite.js';
import { makeImage, pushImage } from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';
import { TEST_TIMING } from '../workflows/harness.js';

let upstream: TestRegistry;
let acrDataPlane: TestRegistry;
let arm: FakeArm;
let azurite: AzuriteTables;
const engines: LocalDurableEngine[] = [];
/** The registry's ARM id, written out from the fake's subscription, group and name. */
let registryId: string;

const dockerTask = {
  type: 'Docker' as const,
  imageNames: [],
  dockerFilePath: 'Dockerfile',
  contextPath: '.',
};

beforeAll(async () => {
  [upstream, acrDataPlane, azurite] = await Promise.all([
    startRegistry(),
    startRegistry(),
    startAzuriteTables(),
  ]);
  arm = await startFakeArm({ dataPlane: acrDataPlane });
  registryId = `/subscriptions/${arm.subscriptionId}/resourceGroups/${arm.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${arm.registry}`;
  arm.tasks.set('validate-base', {
    name: 'validate-base',
    step: dockerTask,
    runStatuses: ['Queued', 'Running', 'Succeeded'],
  });
  arm.tasks.set('validate-slow', {
    name: 'validate-slow',
    step: dockerTask,
    runStatuses: ['Queued', 'Running'],
  });
  arm.tasks.set('validate-strict', {
    name: 'validate-strict',
    step: dockerTask,
    runStatuses: ['Queued', 'Running', 'Failed'],
    runErrorMessage: 'trivy: CVE-2026-0002 (critical) in openssl',
  });
}, 60_000);
afterAll(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
  await Promise.all([arm?.stop(), upstream?.stop(), acrDataPlane?.stop(), azurite?.stop()]);
});

/**
 * Runs an orchestration to its end for one gated image `base/<name>:1` checked by the ACR task `task`, on
 * the Azure ports; state lives in Azurite under the image's name, so successive runs see each other.
 */
async function operate(name: string, task: string, orchestration: string, input: object): Promise<unknown> {
  const config = parseConfig(
    `version: 1
registry:
  url: "http://${acrDataPlane.host}"
  acr: { subscriptionId: "${arm.subscriptionId}", resourceGroup: ${arm.resourceGroup}, name: ${arm.registry} }
defaults: { platforms: all }
images:
  - source: "${upstream.host}/library/${name}"
    tags: ["1"]
    target: base/${name}
    gate:
      checks:
        - acrTask: ${task}
`,
    'basewatch.yaml',
  );
  const deps = buildPorts({
    config,
    state: await openTableStateStore({ connectionString: azurite.connectionString }, `gateacr${name}`),
    logger: jsonLogger('error'),
    env: {},
    timing: TEST_TIMING,
    azureCredential: () => new TestTokenCredential(),
    armOptions: { $host: arm.url, endpoint: arm.url, tlsOptions: { ca: arm.ca } },
    replace: { discovery: [] },
  });
  const engine = new LocalDurableEngine({
    store: new MemoryInstanceStore(),
    orchestrations,
    activities: activities(deps),
  });
  engines.push(engine);
  const id = await engine.start(orchestration, { input: { ...input, timing: TEST_TIMING } });
  const status = await engine.waitForCompletion(id, 60_000);
  expect(status.runtimeStatus).toBe('Completed');
  return status.output;
}

async function cycle(name: string, task: string): Promise<SyncCycleOutcome> {
  return (await operate(name, task, Orchestration.syncCycle, { trigger: 'manual' })) as SyncCycleOutcome;
}

type ImportBody = { source: Record<string, string>; targetTags: string[]; mode: string };

/** The importImage requests whose target tags lie in `repositories`, in the order ARM received them. */
function importsInto(...repositories: string[]): (RecordedArmRequest & { body: ImportBody })[] {
  return arm.requests.filter(
    (r): r is RecordedArmRequest & { body: ImportBody } =>
      r.method === 'POST' &&
      r.path.endsWith('/importImage') &&
      (r.body as ImportBody).targetTags.some((t) => repositories.includes(t.slice(0, t.lastIndexOf(':')))),
  );
}

const runsOf = (task: string, quarantine: string) =>
  [...arm.runs.values()].filter((run) => run.task === task && run.arguments?.[0]?.value === quarantine);
const digestAt = (ref: string) => skopeoInspectDigest(`docker://${acrDataPlane.host}/${ref}`);

describe('the gate on ACR', () => {
  it('imports into quarantine through ARM, validates with an ACR task run on the pinned image, then promotes (and rolls back) by an import from the registry itself', async () => {
    const v1 = makeImage({ seed: 'gate-acr-pass-1' });
    await pushImage(upstream.url, 'library/acrpass', '1', v1);

    const first = await cycle('acrpass', 'validate-base');
    const quarantine = `${acrDataPlane.host}/quarantine/base/acrpass@${v1.digest}`;
    const [run] = runsOf('validate-base', quarantine);
    expect(run).toBeDefined();
    expect(first.syncs[0]).toMatchObject({ target: 'base/acrpass:1', digest: v1.digest, status: 'synced' });
    expect(first.syncs[0]!.checks).toEqual([
      {
        check: 'acrTask validate-base',
        passed: true,
        detail: `ACR run ${run!.runId} of validate-base succeeded`,
      },
    ]);

    // One run of the task, told which image to validate: the quarantined copy, pinned by digest.
    const image = { name: 'image', value: quarantine, isSecret: false };
    expect(run!.arguments).toEqual([image]);
    const scheduled = arm.requests.filter(
      (r) =>
        r.path.endsWith('/scheduleRun') &&
        JSON.stringify(
          (r.body as { overrideTaskStepProperties?: unknown }).overrideTaskStepProperties,
        ).includes(quarantine),
    );
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.body).toMatchObject({
      type: 'TaskRunRequest',
      taskId: `${registryId}/tasks/validate-base`,
      overrideTaskStepProperties: { arguments: [image] },
    });

    // Upstream → quarantine (by registryUri), then quarantine → target (by this registry's resource id).
    const imports = importsInto('quarantine/base/acrpass', 'base/acrpass');
    expect(imports.map((r) => r.body)).toEqual([
      {
        source: { registryUri: upstream.host, sourceImage: `library/acrpass@${v1.digest}` },
        targetTags: ['quarantine/base/acrpass:1'],
        mode: 'Force',
      },
      {
        source: { resourceId: registryId, sourceImage: `quarantine/base/acrpass@${v1.digest}` },
        targetTags: ['base/acrpass:1'],
        mode: 'Force',
      },
    ]);
    const order = (r: RecordedArmRequest) => arm.requests.indexOf(r);
    expect(order(imports[0]!)).toBeLessThan(order(scheduled[0]!));
    expect(order(scheduled[0]!)).toBeLessThan(order(imports[1]!));
    expect(await digestAt('quarantine/base/acrpass:1')).toBe(v1.digest);
    expect(await digestAt('base/acrpass:1')).toBe(v1.digest);

    // The next digest: the one it replaces is kept under an immutable tag, written with NoForce.
    const v2 = makeImage({ seed: 'gate-acr-pass-2' });
    await pushImage(upstream.url, 'library/acrpass', '1', v2);
    const second = await cycle('acrpass', 'validate-base');
    expect(second.syncs[0]).toMatchObject({ digest: v2.digest, status: 'synced' });
    const kept = importsInto('base/acrpass').find((r) => r.body.mode === 'NoForce');
    expect(kept?.body).toEqual({
      source: { resourceId: registryId, sourceImage: `base/acrpass@${v1.digest}` },
      targetTags: [expect.stringMatching(/^base\/acrpass:1-\d{14}$/)],
      mode: 'NoForce',
    });
    expect(await digestAt(kept!.body.targetTags[0]!)).toBe(v1.digest);
    expect(await digestAt('base/acrpass:1')).toBe(v2.digest);
    expect(runsOf('validate-base', `${acrDataPlane.host}/quarantine/base/acrpass@${v2.digest}`)).toHaveLength(
      1,
    );

    // A rollback moves the tag back the same way: an import of the earlier digest from the registry itself.
    const rolled = await operate('acrpass', 'validate-base', Orchestration.rollbackImage, {
      target: 'base/acrpass:1',
    });
    expect(rolled).toMatchObject({ status: 'rolled_back', digest: v1.digest, previousDigest: v2.digest });
    expect(importsInto('base/acrpass').at(-1)?.body).toEqual({
      source: { resourceId: registryId, sourceImage: `base/acrpass@${v1.digest}` },
      targetTags: ['base/acrpass:1'],
      mode: 'Force',
    });
    expect(await digestAt('base/acrpass:1')).toBe(v1.digest);
  }, 150_000);

  it('rejects when the validation run ends Failed: the target tag stays, and the reason names the run and its status', async () => {
    const before = makeImage({ seed: 'gate-acr-fail-0' });
    await pushImage(acrDataPlane.url, 'base/acrfail', '1', before);
    const next = makeImage({ seed: 'gate-acr-fail-1' });
    await pushImage(upstream.url, 'library/acrfail', '1', next);

    const outcome = await cycle('acrfail', 'validate-strict');
    const [run] = runsOf('validate-strict', `${acrDataPlane.host}/quarantine/base/acrfail@${next.digest}`);
    expect(run).toBeDefined();
    expect(outcome.syncs[0]).toMatchObject({
      target: 'base/acrfail:1',
      digest: next.digest,
      status: 'rejected',
      reason: `acrTask validate-strict: ACR run ${run!.runId} of validate-strict ended Failed: trivy: CVE-2026-0002 (critical) in openssl (log: az acr task logs --registry ${arm.registry} --run-id ${run!.runId})`,
    });

    expect(await digestAt('base/acrfail:1')).toBe(before.digest);
    expect(await digestAt('quarantine/base/acrfail:1')).toBe(next.digest);
    expect(importsInto('base/acrfail')).toEqual([]);
    expect(importsInto('quarantine/base/acrfail').map((r) => r.body.targetTags)).toEqual([
      ['quarantine/base/acrfail:1'],
    ]);
  }, 120_000);

  it('cancels a validation run the gate stopped waiting for, and rejects with the timeout', async () => {
    const next = makeImage({ seed: 'gate-acr-slow-1' });
    await pushImage(upstream.url, 'library/acrslow', '1', next);

    const outcome = await cycle('acrslow', '{ task: validate-slow, timeoutSeconds: 1 }');
    expect(outcome.syncs[0]).toMatchObject({
      status: 'rejected',
      reason: 'acrTask validate-slow: no verdict within 1 s',
    });
    const [run] = runsOf('validate-slow', `${acrDataPlane.host}/quarantine/base/acrslow@${next.digest}`);
    expect(run?.canceled).toBe(true);
    expect(
      arm.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/runs/${run!.runId}/cancel`)),
    ).toHaveLength(1);
    expect(importsInto('base/acrslow')).toEqual([]);
  }, 120_000);
});
