// The registry side of the gate: keep what a tag points at before it moves, move it, and run one check
// against the quarantined digest. Each may run twice (at-least-once activities) and does the same.

import { dirname, resolve } from 'node:path';
import { registryHost } from '../../config/registry-location.js';
import type { SignaturePolicy } from '../../config/signature-policy.js';
import { type GateCheck, growthVerdict, missingPlatforms } from '../../core/gate.js';
import type { ValidationProgress, ValidationSubject } from '../../core/gate-validator.js';
import { isTransient } from '../../core/transient.js';
import { imagePlatforms, platformSizes } from '../../registry/platform-sizes.js';
import { splitPrivateKey } from '../../registry/private-store.js';
import { verifyImageSignature } from '../../signatures/verify-image-signature.js';
import type { WorkflowDeps } from '../deps.js';

export interface KeepPreviousInput {
  /** `base/node:20` */
  readonly target: string;
  /** The immutable tag to keep the current digest under, `20-20261130101500`. */
  readonly keepAs: string;
  /** The digest about to arrive: nothing is kept when the tag already holds it. */
  readonly incoming: string;
}

export interface KeptPrevious {
  readonly previousDigest?: string;
  readonly keptAs?: string;
}

/**
 * Tags what `target` points at as `keepAs` before it moves, so the previous image stays pullable. A
 * second run finds `keepAs` already written (before the move) and answers the same.
 */
export async function keepPrevious(deps: WorkflowDeps, input: KeepPreviousInput): Promise<KeptPrevious> {
  const { repository, tag } = splitPrivateKey(input.target);
  const store = deps.privateStores(repository);
  const kept = await store.headManifest({ repository, tag: input.keepAs });
  if (kept) return { previousDigest: kept.digest, keptAs: input.keepAs };
  const current = await store.headManifest({ repository, tag });
  if (!current || current.digest === input.incoming) return {};
  await deps.promoter.promote({
    from: { repository, digest: current.digest },
    to: { repository, tag: input.keepAs },
    immutable: true,
  });
  return { previousDigest: current.digest, keptAs: input.keepAs };
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

async function runCheck(deps: WorkflowDeps, input: GateCheckInput): Promise<ValidationProgress> {
  const { check, quarantine } = input;
  const store = deps.privateStores(quarantine);
  const { registry } = await deps.config();
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
      const verdict = await verifyImageSignature({
        store,
        repository: quarantine,
        digest: signed,
        policy: check.policy as SignaturePolicy,
        env: deps.env,
        baseDir: dirname(resolve((await deps.config()).file)),
      });
      if (!verdict.ok) return { passed: false, reason: verdict.reason };
      const { signer } = verdict;
      return {
        passed: true,
        detail: `signed by ${signer.identity ?? signer.key ?? signer.method} (${signer.signature})`,
      };
    }
    default:
      return deps.validatorFor(check).start(check, subject);
  }
}

async function failClosed(run: () => Promise<ValidationProgress>): Promise<ValidationProgress> {
  try {
    return await run();
  } catch (error) {
    if (isTransient(error)) throw error;
    return { passed: false, reason: `the check could not run: ${(error as Error).message}` };
  }
}
