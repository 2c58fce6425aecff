// The GateValidator port: a check that asks something outside basewatch (a CI webhook, an ACR task run)
// whether a quarantined digest may be promoted. It may answer at once or later: `pending` carries what to
// poll, and the orchestrator polls with durable timers until a verdict or the check's timeout.
import type { GateCheck, Verdict } from './gate.js';

/** What a validator is asked about: everything names the exact digest, never a tag that could move. */
export interface ValidationSubject {
  /** The tag apps build FROM, `base/node:20`. */
  readonly image: string;
  /** The quarantined digest that would be promoted. */
  readonly digest: string;
  /** `<registry host>/<quarantine repository>@sha256:…`, pullable. */
  readonly quarantine: string;
  /** The upstream it was copied from, `docker.io/library/node@sha256:…`. */
  readonly source: string;
  /** What `image` points at now, if anything. */
  readonly previousDigest?: string;
}

export type ValidationProgress = Verdict | { readonly pending: string };

export interface GateValidator {
  start(check: GateCheck, subject: ValidationSubject): Promise<ValidationProgress>;
  /** `pending` is what start (or the last poll) returned. */
  poll(check: GateCheck, pending: string): Promise<ValidationProgress>;
  /** Stops work nobody waits for any more (the check timed out), where the validator can. */
  cancel?(check: GateCheck, pending: string): Promise<void>;
}
