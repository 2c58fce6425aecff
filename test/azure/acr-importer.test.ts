import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AcrImporter, ImportVerificationError } from '../../src/azure/acr-importer.js';
import { ArmOperationError } from '../../src/azure/arm-errors.js';
import type { RegistryCredential } from '../../src/core/credential.js';
import { DistributionClient } from '../../src/registry/distribution-client.js';
import { importImage as importImageActivity } from '../../src/workflows/activities/import-image.js';
import type { WorkflowDeps } from '../../src/workflows/deps.js';
import { type AcceptedImport, ArmFailure, type FakeArm, startFakeArm } from '../support/azure/arm-server.js';
import { fakeArmClient, fakeRegistry } from '../support/azure/clients.js';
import { importWithSkopeo } from '../support/azure/import-performer.js';
import { TestTokenCredential } from '../support/azure/test-credential.js';
import {
  makeImage,
  makeMultiPlatformImage,
  pushImage,
  pushIndex,
  type TestImage,
  type TestIndex,
} from '../support/images.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { skopeoInspectDigest } from '../support/skopeo.js';

const HUB_USER = 'hubuser';
const HUB_TOKEN = 'dckr_pat_test-secret-value';

let upstream: TestRegistry;
let target: TestRegistry;
let node: TestIndex;
let alpine: TestImage;

beforeAll(async () => {
  [upstream, target] = await Promise.all([
    startRegistry({ auth: 'htpasswd', users: { [HUB_USER]: HUB_TOKEN } }),
    startRegistry(),
  ]);
  node = makeMultiPlatformImage(
    [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ],
    { seed: 'node-20' },
  );
  alpine = makeImage({ seed: 'alpine-3' });
  const credentials = { username: HUB_USER, password: HUB_TOKEN };
  await pushIndex(upstream.url, 'library/node', '20-alpine', node, credentials);
  await pushImage(upstream.url, 'library/alpine', '3', alpine, credentials);
});

afterAll(async () => {
  await Promise.all([upstream?.stop(), target?.stop()]);
});

let arm: FakeArm | undefined;
afterEach(async () => {
  await arm?.stop();
  arm = undefined;
});

interface Setup {
  credentials?: RegistryCredential;
  performImport?: (request: AcceptedImport) => Promise<void>;
  maxRetries?: number;
  roleScope?: 'resourceGroup' | 'registry';
}

async function importer(setup: Setup = {}) {
  const accepted: AcceptedImport[] = [];
  const perform = setup.performImport ?? importWithSkopeo(target);
  arm = await startFakeArm({
    dataPlane: target,
    performImport: async (request) => {
      accepted.push(request);
      await perform(request);
    },
    ...(setup.roleScope && { roleScope: setup.roleScope }),
  });
  const credential = new TestTokenCredential();
  const client = fakeArmClient(
    arm,
    credential,
    setup.maxRetries === undefined ? {} : { retryOptions: { maxRetries: setup.maxRetries } },
  );
  const resolved: string[] = [];
  const warnings: { message: string; fields: unknown }[] = [];
  const logger = {
    debug() {},
    info() {},
    warn: (message: string, fields?: unknown) => {
      warnings.push({ message, fields });
    },
    error() {},
  };
  const acr = new AcrImporter({
    client,
    registry: fakeRegistry(arm),
    loginServer: target.host,
    distribution: new DistributionClient(),
    upstreamCredentials: (registry) => {
      resolved.push(registry);
      return setup.credentials ?? { username: HUB_USER, password: HUB_TOKEN };
    },
    pollIntervalMs: 10,
    logger,
  });
  return { acr, accepted, credential, resolved, arm, warnings };
}

describe('AcrImporter', () => {
  it('imports the upstream index by digest with mode Force, then finds that digest on the target tag', async () => {
    const { acr, accepted, credential, resolved, arm } = await importer();
    const result = await acr.importImage({
      source: `${upstream.host}/library/node@${node.digest}`,
      target: 'base/node:20-alpine',
    });

    expect(result).toEqual({
      digest: node.digest,
      sameDigestAsSource: true,
      // ACR's import keeps no attachments: the result says so, for the event.
      referrers: {
        policy: 'all',
        copied: [],
        copiedTotal: 0,
        skipped: 0,
        lost: [
          { subject: node.digest, reason: 'ACR import does not copy signatures, SBOMs or attestations' },
        ],
        lostTotal: 1,
      },
    });
    expect(accepted).toEqual([
      {
        registryUri: upstream.host,
        sourceImage: `library/node@${node.digest}`,
        credentials: { username: HUB_USER, password: HUB_TOKEN },
        targetTags: ['base/node:20-alpine'],
        mode: 'Force',
      },
    ]);
    expect(resolved).toEqual([upstream.host]);
    // The long-running operation was followed through its status monitor, then its result.
    const paths = arm.requests.map(
      (request) => `${request.method} ${request.path.split('/').slice(-2).join('/')} ${request.status}`,
    );
    expect(paths[0]).toBe('POST basewatchtest/importImage 202');
    expect(paths.some((path) => path.startsWith('GET operationStatuses/'))).toBe(true);
    expect(arm.requests.every((request) => request.apiVersion === '2025-11-01')).toBe(true);
    expect(credential.requestedScopes).toContain(`${arm.url}/.default`);
    // The data plane agrees, read by skopeo: the tag now holds the upstream digest.
    expect(await skopeoInspectDigest(`${target.host}/base/node:20-alpine`)).toBe(node.digest);
  });

  it('succeeds when a role on the registry alone cannot read the final Location result, as the digest is proven', async () => {
    const { acr, arm, warnings } = await importer({ roleScope: 'registry' });
    const result = await acr.importImage({
      source: `${upstream.host}/library/node@${node.digest}`,
      target: 'base/node-scoped:20-alpine',
    });
    expect(warnings.map((warning) => warning.message)).toEqual([
      'ACR import succeeded, but its result could not be read; verifying on the data plane',
    ]);
    expect(JSON.stringify(warnings)).toContain('AuthorizationFailed');
    expect(JSON.stringify(warnings)).not.toContain(HUB_TOKEN);

    expect(result).toMatchObject({ digest: node.digest, sameDigestAsSource: true });
    // ARM refused the SDK's last read of the resource-group-scoped Location URL, after the monitor said Succeeded.
    const last = arm.requests.at(-1);
    expect(last).toMatchObject({ method: 'GET', status: 403, errorCode: 'AuthorizationFailed' });
    expect(last?.path).toMatch(
      /\/resourceGroups\/rg-images\/providers\/Microsoft\.ContainerRegistry\/locations\//,
    );
    expect(await skopeoInspectDigest(`${target.host}/base/node-scoped:20-alpine`)).toBe(node.digest);
  });

  it('still fails on the data plane when the final Location read is refused and the tag holds another digest', async () => {
    const { acr } = await importer({
      roleScope: 'registry',
      performImport: async (request) => {
        await importWithSkopeo(target)(request);
        await pushImage(target.url, 'base/race-scoped', '1', alpine);
      },
    });
    const error = await acr
      .importImage({ source: `${upstream.host}/library/node@${node.digest}`, target: 'base/race-scoped:1' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ImportVerificationError);
    expect((error as Error).message).toContain(alpine.digest);
  });

  it('reports a failed import as failed even when the final Location read would be refused', async () => {
    const { acr, arm } = await importer({
      roleScope: 'registry',
      performImport: async () => {
        throw new ArmFailure('QuotaExceeded', 'The registry storage quota of 100 GiB has been exceeded.');
      },
    });
    const error = (await acr
      .importImage({ source: `${upstream.host}/library/alpine@${alpine.digest}`, target: 'base/alpine-q:3' })
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error).toBeInstanceOf(ArmOperationError);
    expect(error).toMatchObject({ kind: 'quota', code: 'QuotaExceeded' });
    expect(arm.requests.some((request) => request.status === 403)).toBe(false);
  });

  it('fails when ARM refuses the status monitor, before the operation has succeeded', async () => {
    const { acr, arm } = await importer();
    // The initial POST is accepted; the first poll of the status monitor is refused.
    arm.failNext('/operationStatuses', 1, {
      status: 403,
      code: 'AuthorizationFailed',
      message:
        "The client does not have authorization to perform action 'Microsoft.ContainerRegistry/registries/operationStatuses/read'.",
    });
    const error = (await acr
      .importImage({ source: `${upstream.host}/library/alpine@${alpine.digest}`, target: 'base/alpine-f:3' })
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error).toBeInstanceOf(ArmOperationError);
    expect(error).toMatchObject({ kind: 'forbidden', status: 403, code: 'AuthorizationFailed' });
  });

  it('names the image and hides the password when the upstream registry refuses the credentials', async () => {
    const wrong = 'dckr_pat_wrong-secret-value';
    const { acr } = await importer({ credentials: { username: HUB_USER, password: wrong } });
    const failure = await acr
      .importImage({ source: `${upstream.host}/library/alpine@${alpine.digest}`, target: 'base/alpine:3' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ArmOperationError);
    const error = failure as ArmOperationError;
    expect(error.kind).toBe('upstream-unauthorized');
    expect(error.message).toContain(`import ${upstream.host}/library/alpine@${alpine.digest}`);
    expect(error.message).toContain('base/alpine:3');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(HUB_TOKEN);
  });

  it('reports a source digest the upstream registry does not have as not found', async () => {
    const { acr } = await importer();
    const missing = `sha256:${'0'.repeat(64)}`;
    const error = (await acr
      .importImage({ source: `${upstream.host}/library/alpine@${missing}`, target: 'base/alpine:3' })
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain(missing);
  });

  it('waits as ARM asks when throttled once, then imports', async () => {
    const { acr, arm } = await importer();
    arm.throttle('/importImage', 1, 1);
    const result = await acr.importImage({
      source: `${upstream.host}/library/alpine@${alpine.digest}`,
      target: 'base/alpine:3',
    });

    expect(result.digest).toBe(alpine.digest);
    expect(arm.requests.slice(0, 2).map((request) => request.status)).toEqual([429, 202]);
  });

  it('gives up on persistent throttling with the Retry-After ARM sent', async () => {
    const { acr, arm } = await importer({ maxRetries: 0 });
    arm.throttle('/importImage', 5, 7);
    const error = (await acr
      .importImage({ source: `${upstream.host}/library/alpine@${alpine.digest}`, target: 'base/alpine:3' })
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error.kind).toBe('throttled');
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.status).toBe(429);
    expect(error.message).toContain('retry after 7s');
  });

  it('a throttled ACR import is thrown back for the orchestrator to retry; an exhausted quota is a final failure', async () => {
    const throttled = await importer({ maxRetries: 0 });
    throttled.arm.throttle('/importImage', 5, 7);
    const input = {
      source: `${upstream.host}/library/alpine:3`,
      target: 'base/alpine:3',
      digest: alpine.digest,
      platforms: 'all' as const,
    };
    const retried = await importImageActivity(
      { importer: throttled.acr } as unknown as WorkflowDeps,
      input,
    ).catch((e: unknown) => e);
    expect(retried).toMatchObject({ name: 'ArmOperationError', kind: 'throttled' });

    const quota = await importer({
      performImport: async () => {
        throw new ArmFailure('QuotaExceeded', 'The registry storage quota of 100 GiB has been exceeded.');
      },
    });
    const final = await importImageActivity({ importer: quota.acr } as unknown as WorkflowDeps, input);
    expect(final.ok).toBe(false);
    expect(final.reason).toContain('QuotaExceeded');
  });

  it('reports an exhausted registry quota', async () => {
    const { acr } = await importer({
      performImport: async () => {
        throw new ArmFailure('QuotaExceeded', 'The registry storage quota of 100 GiB has been exceeded.');
      },
    });
    const error = (await acr
      .importImage({ source: `${upstream.host}/library/alpine@${alpine.digest}`, target: 'base/alpine:3' })
      .catch((e: unknown) => e)) as ArmOperationError;

    expect(error.kind).toBe('quota');
    expect(error.code).toBe('QuotaExceeded');
  });

  it('fails verification when ARM reports success but the tag holds another digest', async () => {
    const { acr } = await importer({
      // ACR copies, then a concurrent push wins the race: the tag ends up on another image.
      performImport: async (request) => {
        await importWithSkopeo(target)(request);
        await pushImage(target.url, 'base/race', '1', alpine);
      },
    });
    const error = await acr
      .importImage({ source: `${upstream.host}/library/node@${node.digest}`, target: 'base/race:1' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ImportVerificationError);
    expect((error as Error).message).toContain(alpine.digest);
    expect((error as Error).message).toContain(node.digest);
  });

  it('refuses a source that is not pinned by digest, before calling ARM', async () => {
    const { acr, arm } = await importer();
    await expect(
      acr.importImage({ source: `${upstream.host}/library/alpine:3`, target: 'base/alpine:3' }),
    ).rejects.toThrow(/pinned by digest/);
    expect(arm.requests).toEqual([]);
  });
});
