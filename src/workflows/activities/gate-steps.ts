// The registry side of the gate: keep what a tag points at before it moves, move it, and run one check
// against the quarantined digest. Each may run twice (at-least-once activities) and does the same.

import { dirname, resolve } from 'node:path';
import { registryHost } from '../../config/registry-location.js';
import type { SignaturePolicy } from '../../config/signature-policy.js';
import { type GateCheck, growthVerdict, keptTag, missingPlatforms } from '../../core/gate.js';
import type { ValidationProgress, ValidationSubject } from '../../core/gate-validator.js';
import type { ImageChanges } from '../../core/image-changes.js';
import { packagesVerdict } from '../../core/packages-verdict.js';
import { isTransient } from '../../core/transient.js';
import { privateImageChanges } from '../../packages/private-image-changes.js';
import { imagePlatforms, platformSizes } from '../../registry/platform-sizes.js';
import { splitPrivateKey } from '../../registry/private-store.js';
import { signatureVerdict } from '../../signatures/signature-verdict.js';
import type { WorkflowDeps } from '../deps.js';

export interface KeepPreviousInput {
  /** `base/node:20` */
  readonly target: string;
  /** When the move happens (orchestration time): it names the kept tag, `20-20261130101500`. */
  readonly at: string;
  /** The digest about to arrive: nothing is kept when the tag already holds it. */
  readonly incoming: string;
}

export interface KeptPrevious {
  readonly previousDigest?: string;
  readonly keptAs?: string;
}

/** Kept-tag names tried for one move: a second move of the tag within the same second gets `-2`, … */
const KEPT_TAG_ATTEMPTS = 10;

/**
 * Tags what `target` points at as `<tag>-<yyyymmddHHMMSS>` before it moves, so the previous image stays
 * pullable. It runs before the move (a replay takes its result from history), so the tag still holds the
 * previous digest; a second run finds the kept tag it wrote already holding that digest and answers the same.
 */
export async function keepPrevious(deps: WorkflowDeps, input: KeepPreviousInput): Promise<KeptPrevious> {
  const { repository, tag } = splitPrivateKey(input.target);
  const store = deps.privateStores(repository);
  const current = await store.headManifest({ repository, tag });
  if (!current || current.digest === input.incoming) return {};
  for (let attempt = 1; attempt <= KEPT_TAG_ATTEMPTS; attempt++) {
    const keptAs = keptTag(tag, new Date(input.at), attempt);
    const held = await store.headManifest({ repository, tag: keptAs });
    if (held?.digest === current.digest) return { previousDigest: current.digest, keptAs };
    if (held) continue;
    await deps.promoter.promote({
      from: { repository, digest: current.digest },
      to: { repository, tag: keptAs },
      immutable: true,
    });
    return { previousDigest: current.digest, keptAs };
  }
  throw new Error(
    `${input.target}: ${KEPT_TAG_ATTEMPTS} kept tags for ${input.at} are taken; ${current.digest} was not kept and the tag did not move`,
  );
}

export interface PromoteDigestInput {
  readonly from: { readonly repository: string; readonly digest: string };
  /** `base/node:20` */
  readonly target: string;
}

/** Moves the target tag to a digest the private registry holds (in quarantine, or in the target's own repository). */
export async function promoteDigest(deps: WorkflowDeps, input: PromoteDigestInput): Promise<void> {
  const { repository, tag } = splitPrivateKey(input.target);
  await deps.promoter.promote({ from: input.from, to: { repository, tag } });
}

export interface GateCheckInput {
  readonly check: GateCheck;
  /** `quarantine` is `<repository>@<digest>` here; the activity puts the registry host in front. */
  readonly subject: ValidationSubject;
  /** The quarantine repository that holds `subject.digest`. */
  readonly quarantine: string;
}

/**
 * Runs one check, or starts it when its verdict comes later. Transient failures throw (the orchestrator
 * retries, then counts the check as failed); anything else that stops a check fails it, with the reason.
 */
export async function startGateCheck(deps: WorkflowDeps, input: GateCheckInput): Promise<ValidationProgress> {
  return failClosed(() => runCheck(deps, input));
}

export interface PollGateCheckInput {
  readonly check: GateCheck;
  readonly pending: string;
}

export async function pollGateCheck(
  deps: WorkflowDeps,
  input: PollGateCheckInput,
): Promise<ValidationProgress> {
  return failClosed(() => deps.validatorFor(input.check).poll(input.check, input.pending));
}

/** Asks the validator to stop a check the gate stopped waiting for; a validator that cannot is left alone. */
export async function cancelGateCheck(deps: WorkflowDeps, input: PollGateCheckInput): Promise<void> {
  await deps.validatorFor(input.check).cancel?.(input.check, input.pending);
}

async function runCheck(deps: WorkflowDeps, input: GateCheckInput): Promise<ValidationProgress> {
  const { check, quarantine } = input;
  const store = deps.privateStores(quarantine);
  const config = await deps.config();
  const { registry } = config;
  const host = registryHost(registry.location) ?? registry.url;
  const subject = { ...input.subject, quarantine: `${host}/${input.subject.quarantine}` };
  switch (check.kind) {
    case 'platforms': {
      const present = await imagePlatforms(store, quarantine, subject.digest);
      const missing = missingPlatforms(present, check.platforms);
      if (missing.length === 0) return { passed: true, detail: `has ${check.platforms.join(', ')}` };
      return {
        passed: false,
        reason: `missing platform${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the image has ${present.join(', ') || 'none'})`,
      };
    }
    case 'maxGrowth': {
      const next = await platformSizes(store, quarantine, subject.digest);
      const { repository } = splitPrivateKey(subject.image);
      const previous =
        subject.previousDigest === undefined
          ? undefined
          : await platformSizes(deps.privateStores(repository), repository, subject.previousDigest);
      return growthVerdict(previous, next, check.percent);
    }
    case 'signature': {
      // Upstream signed its own digest: a platform-filtered copy has another, so the signature is looked
      // up for the upstream one, whose attachments the import kept beside the copy.
      const signed = subject.source.slice(subject.source.lastIndexOf('@') + 1);
      return signatureVerdict({
        store,
        repository: quarantine,
        digest: signed,
        policy: check.policy as SignaturePolicy,
        env: deps.env,
        baseDir: dirname(resolve(config.file)),
      });
    }
    case 'packages':
      return packagesVerdict(await changesFromCurrent(deps, subject, quarantine), check);
    default:
      return deps.validatorFor(check).start(check, subject);
  }
}

/**
 * The package diff from the digest the target tag holds now (not the one the cycle saw: a push may have
 * moved it since) to the quarantined digest; undefined when the tag holds nothing yet (a first import).
 */
async function changesFromCurrent(
  deps: WorkflowDeps,
  subject: ValidationSubject,
  quarantine: string,
): Promise<ImageChanges | undefined> {
  const { repository, tag } = splitPrivateKey(subject.image);
  const current = await deps.privateStores(repository).headManifest({ repository, tag });
  if (current === undefined) return undefined;
  return privateImageChanges(
    deps.privateStores,
    { target: subject.image, from: current.digest, to: subject.digest, toRepository: quarantine },
    deps.layerFindings,
  );
}

async function failClosed(run: () => Promise<ValidationProgress>): Promise<ValidationProgress> {
  try {
    return await run();
  } catch (error) {
    if (isTransient(error)) throw error;
    return { passed: false, reason: `the check could not run: ${(error as Error).message}` };
  }
}
